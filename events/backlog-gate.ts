// Backpressure from the workers to the dispatcher. Temporal accepts run starts
// and signals much faster than workers run their workflow tasks; what it
// cannot hand to a waiting poller at once goes into the task queue's backlog.
// Seen with 100,000 sign-ups: the dispatcher started 108 runs/s, the backlog
// grew past 28,000 tasks, and the dev server, busy storing it, handed out 4
// tasks/s instead of 30. Events are as durable in our outbox as in Temporal's
// backlog, and a contact's later events wait behind its earlier ones either
// way: so while the journeys task queue holds more than `limit` workflow
// tasks, the dispatcher waits, and the workers take the backlog at their pace.
// Temporal computes the stats at most every few seconds (5 s seen on the dev
// server) and answers from its cache in between, so the backlog can pass the
// limit by what the dispatcher starts in that time: a bound of a few seconds'
// dispatching instead of none.

import type { Client } from '@temporalio/client';
// A CommonJS module: its namespace comes through the default export under Node's ESM loader.
import proto from '@temporalio/proto';

/** Reads the journeys task queue's workflow task backlog (Temporal's approximate count). */
export type BacklogReader = () => Promise<number>;

export interface BacklogGateOptions {
  /** Workflow tasks waiting in the queue above which deliveries wait (0: never). */
  limit: number;
  /** How long a reading is trusted (default 1 s). */
  maxAgeMs?: number;
  /** How often a closed gate reads again (default 250 ms). */
  recheckMs?: number;
  /** Told once when the backlog cannot be read (the gate then stays open: backpressure is an optimisation). */
  onReadError?: (err: unknown) => void;
  /** Each reading (for the metrics). */
  onReading?: (backlog: number) => void;
  /** Each wait a closed gate imposed, in ms (for the metrics). */
  onWaited?: (ms: number) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class BacklogGate {
  private reading: { at: number; backlog: number } | null = null;
  private inFlight: Promise<number> | null = null;
  private readFailed = false;
  private released = false;

  constructor(
    private readonly read: BacklogReader,
    private readonly opts: BacklogGateOptions,
  ) {}

  /** Opens the gate until engage() (on shutdown: deliveries in flight finish rather than wait). */
  release(): void {
    this.released = true;
  }

  engage(): void {
    this.released = false;
  }

  /** Resolves when the backlog is at or under the limit (at once if a fresh reading says so). */
  async wait(): Promise<void> {
    if (this.opts.limit <= 0 || this.released) return;
    const now = this.opts.now ?? Date.now;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const maxAge = this.opts.maxAgeMs ?? 1000;
    // Open on the last reading: a stale one is refreshed in the background, so a
    // delivery never waits for DescribeTaskQueue (a round trip that, awaited once a
    // second, added its latency to every first event after a quiet second).
    const last = this.reading;
    if (last && last.backlog <= this.opts.limit) {
      if (now() - last.at >= maxAge) void this.backlog(maxAge);
      return;
    }
    if ((await this.backlog(maxAge)) <= this.opts.limit) return;
    const recheck = this.opts.recheckMs ?? 250;
    // Closed: every waiter looks again after a pause, sharing one fresher reading.
    // Each pause is counted as it ends, so a long wait shows while it lasts.
    do {
      const paused = now();
      await sleep(recheck);
      this.opts.onWaited?.(now() - paused);
    } while (!this.released && (await this.backlog(recheck)) > this.opts.limit);
  }

  private async backlog(maxAgeMs: number): Promise<number> {
    const now = (this.opts.now ?? Date.now)();
    if (this.reading && now - this.reading.at < maxAgeMs) return this.reading.backlog;
    // One reading at a time, shared by every delivery that asks meanwhile.
    this.inFlight ??= this.read()
      .then(
        (backlog) => {
          this.readFailed = false;
          return backlog;
        },
        (err: unknown) => {
          if (!this.readFailed) this.opts.onReadError?.(err);
          this.readFailed = true;
          return 0;
        },
      )
      .then((backlog) => {
        this.reading = { at: (this.opts.now ?? Date.now)(), backlog };
        this.opts.onReading?.(backlog);
        this.inFlight = null;
        return backlog;
      });
    return this.inFlight;
  }
}

/** The reader for a Temporal task queue: DescribeTaskQueue with its stats (Temporal ≥ 1.25; the dev server has them). */
export function temporalBacklogReader(client: Client, namespace: string, taskQueue: string): BacklogReader {
  const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;
  return async () => {
    const r = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      reportStats: true,
    });
    const count = r.stats?.approximateBacklogCount;
    if (count === undefined || count === null) throw new Error('Temporal reported no task queue stats (a server before 1.25?)');
    return Number(count);
  };
}
