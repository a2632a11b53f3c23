// Wrong-password limits per client address, in memory (per server process).
// The per-account limit lives in the database (users/service.ts), so it holds
// across processes; this one stops one address from trying many accounts.

export interface AttemptLimiter {
  /** Seconds to wait before trying again, or 0 when allowed. */
  retryAfter(key: string, now?: number): number;
  failed(key: string, now?: number): void;
  reset(key: string): void;
}

export function createAttemptLimiter(opts: { max: number; windowMs: number }): AttemptLimiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number) => {
    const list = (failures.get(key) ?? []).filter((t) => now - t < opts.windowMs);
    if (list.length) failures.set(key, list);
    else failures.delete(key);
    return list;
  };
  return {
    retryAfter(key, now = Date.now()) {
      const list = recent(key, now);
      if (list.length < opts.max) return 0;
      return Math.max(1, Math.ceil((list[0]! + opts.windowMs - now) / 1000));
    },
    failed(key, now = Date.now()) {
      const list = recent(key, now);
      list.push(now);
      failures.set(key, list);
      // Bound memory under a spray of addresses: forget the oldest keys.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    },
    reset(key) {
      failures.delete(key);
    },
  };
}
