// A Map with a size bound, for module-level caches of immutable things
// (published journey versions, template versions, compiled templates). The
// least recently used entry goes first. Every cache registers itself, so tests
// (and a process that wants its memory back) can empty them all at once.

const all = new Set<BoundedCache<unknown, unknown>>();

export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    all.add(this as BoundedCache<unknown, unknown>);
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

/** Empties every BoundedCache of the process. */
export function clearAllCaches(): void {
  for (const c of all) c.clear();
}
