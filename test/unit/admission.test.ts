import { describe, expect, it } from 'vitest';
import { Admission, OverloadedError } from '../../server/admission';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('admission of event-storing requests', () => {
  it('runs at most `concurrency` at once and lets the others in, first come first served', async () => {
    const a = new Admission({ concurrency: 2, queueLimit: 10, maxWaitMs: 5_000 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates = Array.from({ length: 5 }, deferred);
    const all = gates.map((g, i) =>
      a.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await g.promise;
        running--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    expect(a.waiting).toBe(3);
    for (const g of gates) g.resolve();
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses with 429 and Retry-After when the queue is full', async () => {
    const a = new Admission({ concurrency: 1, queueLimit: 1, maxWaitMs: 5_000 });
    const g = deferred();
    const first = a.run(() => g.promise);
    const second = a.run(async () => 'second');
    const err = await a.run(async () => 'third').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OverloadedError);
    expect((err as OverloadedError).status).toBe(429);
    expect((err as OverloadedError).retryAfterSeconds).toBeGreaterThan(0);
    g.resolve();
    await first;
    expect(await second).toBe('second');
  });

  it('refuses a request that waited longer than maxWaitMs, and frees its place', async () => {
    const a = new Admission({ concurrency: 1, queueLimit: 5, maxWaitMs: 50 });
    const g = deferred();
    const first = a.run(() => g.promise);
    await expect(a.run(async () => 'late')).rejects.toBeInstanceOf(OverloadedError);
    expect(a.waiting).toBe(0);
    g.resolve();
    await first;
    expect(await a.run(async () => 'later')).toBe('later');
  });
});
