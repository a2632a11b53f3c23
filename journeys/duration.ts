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
