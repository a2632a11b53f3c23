// Next moment inside a weekly window in a given time zone (e.g. weekdays
// 09:00-17:00 Europe/Paris). Pure and minute-precise; runs in an activity.
function localParts(t: Date, timeZone: string): { day: string; minutes: number } {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return { day: String(parts.weekday).slice(0, 3).toLowerCase(), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `now` if inside the window, else the start of the next window (to the minute). */
export function nextWindowStart(now: Date, timeZone: string, days: readonly string[], start: string, end: string): Date {
  const s = toMinutes(start);
  const e = toMinutes(end);
  const inside = (t: Date) => {
    const p = localParts(t, timeZone);
    if (!days.includes(p.day)) return false;
    return s <= e ? p.minutes >= s && p.minutes < e : p.minutes >= s || p.minutes < e;
  };
  if (inside(now)) return now;
  // Walk forward minute by minute from the next whole minute (at most 8 days).
  let t = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  for (let i = 0; i < 8 * 24 * 60; i++, t = new Date(t.getTime() + 60_000)) {
    if (inside(t)) return t;
  }
  throw new Error(`no window ${days.join(',')} ${start}-${end} in the next 8 days`);
}
