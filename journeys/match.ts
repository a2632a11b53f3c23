// Event matching shared by the dispatcher and the workflow sandbox: pure
// functions, no I/O, no Node built-ins.

/** Reads "a.b.c" from an object: own keys only ("constructor" is data, not Object's). */
export function readPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Every key of `where` must equal the property (or be one of a listed set). */
export function matchesFilter(properties: Record<string, unknown>, where: Record<string, unknown> | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([key, want]) => {
    const got = readPath(properties, key);
    return Array.isArray(want) ? want.some((w) => w === got) : want === got;
  });
}

export function matchesEvent(
  e: { type: string; properties: Record<string, unknown> },
  spec: { event: string; where?: Record<string, unknown> },
): boolean {
  return e.type === spec.event && matchesFilter(e.properties, spec.where);
}

/** Stable 0..99 bucket for A/B splits (FNV-1a): the same contact always lands in the same variant. */
export function bucket(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 100;
}

export { SYSTEM_EVENTS } from '../shared/system-events';
