// The dispatcher's congestion window (events/congestion.ts): it narrows when
// Temporal cannot keep up and widens again as calls succeed.
import { describe, expect, it } from 'vitest';
import { CongestionWindow, isOverload } from '../../events/congestion';

describe('congestion window', () => {
  it('lets `max` calls in at once and queues the rest until one ends', async () => {
    const w = new CongestionWindow(2);
    await w.acquire();
    await w.acquire();
    let third = false;
    const p = w.acquire().then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    w.release(false);
    await p;
    expect(third).toBe(true);
  });

  it('halves on overload (once per interval), never below one, and grows back by about one per window of successes', async () => {
    let now = 0;
    const w = new CongestionWindow(64, () => now);
    for (let i = 0; i < 64; i++) await w.acquire();
    // 64 calls in flight all time out together: one halving, not 64.
    for (let i = 0; i < 64; i++) w.release(true);
    expect(w.limit).toBe(32);
    for (let k = 0; k < 10; k++) {
      now += 1000;
      await w.acquire();
      w.release(true);
    }
    expect(w.limit).toBe(1);
    // About one more per window's worth of successes.
    for (let i = 0; i < 10; i++) {
      await w.acquire();
      w.release(false);
    }
    expect(w.limit).toBeGreaterThanOrEqual(4);
    expect(w.limit).toBeLessThanOrEqual(6);
    for (let i = 0; i < 10_000; i++) {
      await w.acquire();
      w.release(false);
    }
    expect(w.limit).toBe(64);
  });

  it('tells overload (deadline, resource exhausted, unavailable) from other failures, through causes', () => {
    expect(isOverload(Object.assign(new Error('x'), { code: 4 }))).toBe(true);
    expect(isOverload(new Error('Failed to signalWithStart Workflow: 4 DEADLINE_EXCEEDED: Deadline exceeded after 0.4s'))).toBe(true);
    expect(isOverload(new Error('wrapped', { cause: Object.assign(new Error('busy'), { code: 8 }) }))).toBe(true);
    expect(isOverload(Object.assign(new Error('not found'), { code: 5 }))).toBe(false);
    expect(isOverload(new Error('WorkflowExecutionAlreadyStarted'))).toBe(false);
  });
});
