// Congestion control for the dispatcher's calls to Temporal (additive increase,
// multiplicative decrease, as TCP does). A fixed concurrency above what the
// Temporal server sustains (the dev server: tens of starts per second) queues
// calls inside it until they miss their deadline; each miss puts the event into
// backoff, and the backlog drains at a fraction of what the server could do.
// Here, a call that times out or is refused for load halves the number of
// calls in flight; each one that succeeds widens it by about one per window.

/** gRPC codes that mean "too much at once" rather than "wrong": DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const OVERLOAD_CODES = new Set([4, 8, 14]);

/** Whether an error from the Temporal client says the server is overloaded (or too slow to answer in time). */
export function isOverload(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && OVERLOAD_CODES.has(code)) return true;
    if (/DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED/.test(String((e as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}

export class CongestionWindow {
  private window: number;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private lastDecrease = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
    /** Decreases closer together than this count once: the calls in flight when the server choked all fail together. */
    private readonly decreaseEveryMs = 1000,
  ) {
    this.window = max;
  }

  /** Calls allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  async acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Ends a call: `overloaded` when it failed because the server could not keep up. */
  release(overloaded: boolean): void {
    if (overloaded) {
      const t = this.now();
      if (t - this.lastDecrease >= this.decreaseEveryMs) {
        this.window = Math.max(1, this.window / 2);
        this.lastDecrease = t;
      }
    } else {
      this.window = Math.min(this.max, this.window + 1 / this.limit);
    }
    this.inFlight--;
    while (this.waiters.length > 0 && this.inFlight < this.limit) {
      this.inFlight++;
      this.waiters.shift()!();
    }
  }
}
