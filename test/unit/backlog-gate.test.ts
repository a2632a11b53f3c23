// The dispatcher's backpressure (events/backlog-gate.ts), on a fake clock with a
// scripted backlog: deliveries pass under the limit, wait over it, share their
// readings, and never wait on a backlog that cannot be read.
import { describe, expect, it } from 'vitest';
import { BacklogGate } from '../../events/backlog-gate';

function fixture(backlogs: number[], limit = 100) {
  let clock = 0;
  const readings: number[] = [];
  const waits: number[] = [];
  let reads = 0;
  const gate = new BacklogGate(
    async () => {
      const v = backlogs[Math.min(reads, backlogs.length - 1)]!;
      reads++;
      return v;
    },
    {
      limit,
      maxAgeMs: 1000,
      recheckMs: 250,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      onReading: (n) => readings.push(n),
      onWaited: (ms) => waits.push(ms),
    },
  );
  return { gate, readings, waits, reads: () => reads, advance: (ms: number) => (clock += ms) };
}

describe('backlog gate', () => {
  it('lets deliveries through while the backlog is at or under the limit, on one reading a second', async () => {
    const f = fixture([100]);
    await Promise.all(Array.from({ length: 20 }, () => f.gate.wait()));
    expect(f.reads()).toBe(1);
    f.advance(999);
    await f.gate.wait();
    expect(f.reads()).toBe(1);
    f.advance(1);
    await f.gate.wait();
    expect(f.reads()).toBe(2);
    expect(f.waits).toEqual([]);
  });

  it('never makes an open gate wait for a reading: a stale one under the limit is refreshed in the background', async () => {
    let clock = 0;
    let reads = 0;
    const pending: ((n: number) => void)[] = [];
    const gate = new BacklogGate(
      () => {
        reads++;
        return reads === 1 ? Promise.resolve(50) : new Promise<number>((r) => pending.push(r));
      },
      { limit: 100, maxAgeMs: 1000, recheckMs: 250, now: () => clock, sleep: async (ms) => void (clock += ms) },
    );
    await gate.wait(); // the first reading is awaited: there is nothing to go on yet
    clock += 5000;
    // Stale and under the limit: through at once, while the refresh is still unanswered.
    await gate.wait();
    await gate.wait();
    expect(reads).toBe(2); // one refresh, shared
    pending.shift()!(500);
    await new Promise((r) => setImmediate(r));
    // The refreshed reading is over the limit: the next delivery waits until a reading says otherwise.
    let passed = false;
    const waiting = gate.wait().then(() => (passed = true));
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(false);
    while (pending.length === 0) await new Promise((r) => setImmediate(r));
    pending.shift()!(20);
    await waiting;
    expect(passed).toBe(true);
  });

  it('holds deliveries while the backlog is over the limit, re-reading every pause, and lets them go once it drains', async () => {
    const f = fixture([500, 300, 150, 90]);
    await Promise.all([f.gate.wait(), f.gate.wait(), f.gate.wait()]);
    // 500 (closed), then one shared reading per pause: 300, 150, 90 (open).
    expect(f.readings).toEqual([500, 300, 150, 90]);
    // Each waiter's three pauses, counted as each ends (at least the recheck interval each).
    expect(f.waits).toHaveLength(9);
    expect(Math.min(...f.waits)).toBeGreaterThanOrEqual(250);
  });

  it('stays open when the backlog cannot be read, and says so once', async () => {
    const errors: unknown[] = [];
    let clock = 0;
    const gate = new BacklogGate(() => Promise.reject(new Error('no stats')), {
      limit: 10,
      now: () => clock,
      onReadError: (e) => errors.push(e),
    });
    await gate.wait();
    clock += 5000;
    await gate.wait();
    expect(errors).toHaveLength(1);
  });

  it('is open when released (shutdown) and when the limit is 0', async () => {
    const f = fixture([10_000]);
    f.gate.release();
    await f.gate.wait();
    expect(f.reads()).toBe(0);
    const off = fixture([10_000], 0);
    await off.gate.wait();
    expect(off.reads()).toBe(0);
  });
});
