// Sending policy across journeys, for marketing (non-transactional) email:
// - a frequency cap: at most N marketing emails per contact in any rolling
//   7 days (FREQUENCY_CAP_PER_7D; 0 turns it off);
// - quiet hours in the contact's time zone (QUIET_HOURS, e.g. "21:00-08:00").
// A send that breaks either is deferred to the next moment it would not, never
// dropped. Transactional email is exempt.
import type { Prisma } from '@prisma/client';

export interface QuietHours {
  /** minutes after local midnight */
  start: number;
  end: number;
}

export interface SendPolicy {
  frequencyCapPer7d: number;
  quietHours: QuietHours | null;
}

export const NO_POLICY: SendPolicy = { frequencyCapPer7d: 0, quietHours: null };

const WEEK_MS = 7 * 86_400_000;

/** "21:00-08:00" -> { start: 1260, end: 480 }; "" -> null. Throws on nonsense. */
export function parseQuietHours(s: string | undefined | null): QuietHours | null {
  if (!s || !s.trim()) return null;
  const m = /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$/.exec(s);
  if (!m) throw new Error(`quiet hours must look like "21:00-08:00", got "${s}"`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) throw new Error('quiet hours must not start and end at the same time');
  return { start, end };
}

export function formatQuietHours(q: QuietHours): string {
  const f = (n: number) => `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  return `${f(q.start)}-${f(q.end)}`;
}

/** Minutes after local midnight at `at` in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  }
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return (h % 24) * 60 + m;
}

export function inQuietHours(at: Date, timeZone: string, q: QuietHours): boolean {
  const m = localMinutes(at, timeZone);
  return q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
}

/** The end of the quiet hours `at` falls in, or null when it is outside them. */
export function quietHoursEnd(at: Date, timeZone: string, q: QuietHours): Date | null {
  if (!inQuietHours(at, timeZone, q)) return null;
  const minuteStart = Math.floor(at.getTime() / 60_000) * 60_000;
  let t = minuteStart + ((q.end - localMinutes(at, timeZone) + 1440) % 1440) * 60_000;
  // A DST change in between moves local time by the offset change: correct for it.
  for (let i = 0; i < 3; i++) {
    const diff = ((q.end - localMinutes(new Date(t), timeZone) + 720 + 1440) % 1440) - 720;
    if (diff === 0) break;
    t += diff * 60_000;
  }
  return new Date(t);
}

export interface Deferral {
  until: Date;
  reason: string;
}

/** Marketing sends that count against the cap: sent in the last 7 days, or being sent now. */
export function recentMarketingWhere(contactIds: string[], exceptSendIds: string[], now: Date): Prisma.MessageSendWhereInput {
  return {
    contactId: { in: contactIds },
    id: { notIn: exceptSendIds },
    category: { not: 'transactional' },
    OR: [{ status: 'sent', sentAt: { gt: new Date(now.getTime() - WEEK_MS) } }, { status: 'sending' }],
  };
}

/**
 * Whether a marketing send must wait, and until when, from the contact's
 * recent marketing sends (recentMarketingWhere, read with the contact locked
 * so two sends at once cannot both pass the cap): pure, so a broadcast chunk
 * reads the sends of all its contacts in one query and decides for each, and
 * a journey send reads them in its claim (activities/send-statements.ts).
 */
export function deferralFor(
  recent: { status: string; sentAt: Date | null }[],
  input: { timeZone: string; now: Date; policy: SendPolicy },
): Deferral | null {
  const { policy, now } = input;
  let until = now;
  const reasons: string[] = [];
  if (policy.frequencyCapPer7d > 0 && recent.length >= policy.frequencyCapPer7d) {
    const times = recent.map((r) => (r.status === 'sent' && r.sentAt ? r.sentAt.getTime() : now.getTime())).sort((a, b) => b - a);
    // Once the cap-th most recent send is 7 days old, one slot is free again.
    const free = times[policy.frequencyCapPer7d - 1]! + WEEK_MS + 1000;
    if (free > until.getTime()) until = new Date(free);
    reasons.push(`frequency cap: ${recent.length} marketing emails in the last 7 days (cap ${policy.frequencyCapPer7d})`);
  }
  if (policy.quietHours) {
    const end = quietHoursEnd(until, input.timeZone, policy.quietHours);
    if (end) {
      until = end;
      reasons.push(`quiet hours ${formatQuietHours(policy.quietHours)} in ${input.timeZone}`);
    }
  }
  return reasons.length === 0 ? null : { until, reason: reasons.join('; ') };
}

/** The policy configured by FREQUENCY_CAP_PER_7D and QUIET_HOURS. */
export function policyFromEnv(env: { FREQUENCY_CAP_PER_7D: number; QUIET_HOURS: string }): SendPolicy {
  return { frequencyCapPer7d: env.FREQUENCY_CAP_PER_7D, quietHours: parseQuietHours(env.QUIET_HOURS) };
}
