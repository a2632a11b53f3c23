// The dispatcher's wake-ups from stored events (events/kick-throttle.ts): a
// lone event's kick wakes the loop at once; a burst wakes it once per interval.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KickThrottle } from '../../events/kick-throttle';

describe('kick throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires the first kick after a quiet spell at once', () => {
    let fired = 0;
    const t = new KickThrottle(20, () => fired++);
    t.kick();
    expect(fired).toBe(1);
    vi.advanceTimersByTime(25);
    t.kick();
    expect(fired).toBe(2);
  });

  it('gathers the kicks of a burst: one wake-up at the end of the interval, none lost', () => {
    let fired = 0;
    const t = new KickThrottle(20, () => fired++);
    t.kick(); // at once
    vi.advanceTimersByTime(5);
    for (let i = 0; i < 50; i++) t.kick();
    expect(fired).toBe(1);
    vi.advanceTimersByTime(14);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(1); // 20 ms after the first
    expect(fired).toBe(2);
    vi.advanceTimersByTime(100);
    expect(fired).toBe(2);
  });

  it('cancel drops a pending wake-up', () => {
    let fired = 0;
    const t = new KickThrottle(20, () => fired++);
    t.kick();
    t.kick();
    t.cancel();
    vi.advanceTimersByTime(50);
    expect(fired).toBe(1);
  });
});
