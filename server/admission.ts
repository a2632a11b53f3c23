// Admission control for the endpoints that take events. A sender that outruns
// the database gets 429 with Retry-After (and retries), never a 500 from an
// exhausted connection pool: at most `concurrency` requests store at once,
// up to `queueLimit` wait their turn, and none waits longer than `maxWaitMs`.
// Waiting is first come, first served.
import { HttpError } from './errors';

export class OverloadedError extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    why: string,
  ) {
    super(429, 'overloaded', `${why}; retry after ${retryAfterSeconds} s`);
  }
}

export interface AdmissionOptions {
  concurrency: number;
  queueLimit: number;
  maxWaitMs: number;
}

export class Admission {
  private active = 0;
  private readonly queue: { go: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly opts: AdmissionOptions) {}

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  private enter(): Promise<void> {
    if (this.active < this.opts.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.opts.queueLimit)
      return Promise.reject(new OverloadedError(1, 'too many requests are waiting to be stored'));
    return new Promise((resolve, reject) => {
      const entry = {
        go: () => {
          clearTimeout(entry.timer);
          this.active++;
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new OverloadedError(1, `no database connection was free within ${this.opts.maxWaitMs} ms`));
        }, this.opts.maxWaitMs),
      };
      this.queue.push(entry);
    });
  }

  private leave(): void {
    this.active--;
    this.queue.shift()?.go();
  }
}
