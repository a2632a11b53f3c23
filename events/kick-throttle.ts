// Wake-ups of the dispatcher's loop from stored events, at most one per
// interval: the first kick after a quiet spell fires at once (a lone event
// does not wait), the kicks that follow within the interval fire together at
// its end. Claiming a batch per stored event cost as much CPU as storing it;
// a fixed delay on every kick cost a lone event that delay.
export class KickThrottle {
  private timer: NodeJS.Timeout | null = null;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  kick(): void {
    if (this.timer) return;
    const since = this.now() - this.last;
    if (since >= this.intervalMs) this.fireNow();
    else this.timer = setTimeout(() => this.fireNow(), this.intervalMs - since);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private fireNow(): void {
    this.timer = null;
    this.last = this.now();
    this.fire();
  }
}
