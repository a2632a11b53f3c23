// Durations in journey definitions: "90s", "30m", "12h", "3d", "2w", or combined "1d12h".
/** The longest duration accepted anywhere (about 100 years): dates beyond it are out of range for the database and JavaScript. */
export const MAX_DURATION_MS = 36_500 * 86_400_000;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+)\s*([smhdw])/g;
const WHOLE = /^(\s*\d+\s*[smhdw])+\s*$/;

export function parseDuration(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}

/**
 * Milliseconds of a duration from a definition the journey schema accepted
 * (so it parses; the schema refuses anything else). The one place that turns
 * a definition's duration into a number: 1 ms should it ever not parse, so a
 * timer is never zero or negative.
 */
export function durationMs(text: string): number {
  return parseDuration(text) ?? 1;
}

/** A date trigger's offset ("30d", "-1d" for before, "0d" the default) in milliseconds; "0d" is 0. */
export function offsetMs(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * (parseDuration(text.replace(/^-/, '')) ?? 0);
}
