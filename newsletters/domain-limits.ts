// Per-domain limits of newsletters: relays (and the big mailbox providers
// behind them) throttle senders per recipient domain, e.g. "no more than 600
// a minute to gmail.com". A broadcast may carry such limits
// (`domainRatePerMinute` in POST /v1/newsletters). They are counted per UTC
// minute in send_domain_windows, shared by every broadcast, chunk and worker
// sending in that minute; a recipient beyond its domain's slots waits for the
// next minute (deferred, like quiet hours). Slots are taken in the
// transaction that claims the sends, so they are never handed out twice; a
// slot whose send then fails is not given back (the limit errs on the safe side).
import type { Prisma } from '@prisma/client';
import { z } from 'zod';

/** { "gmail.com": 600 }: at most this many messages a minute to that domain. */
export const domainLimitsSchema = z.record(
  z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a lower-case domain name such as gmail.com'),
  z.number().int().min(1).max(1_000_000),
);
export type DomainLimits = z.infer<typeof domainLimitsSchema>;

export const WINDOW_MS = 60_000;

/**
 * Takes up to one slot per address in `domains` (one entry per message) in the
 * current minute; returns how many each domain got and when the next minute starts.
 */
export async function reserveDomainSlots(
  tx: Prisma.TransactionClient,
  domains: string[],
  limits: DomainLimits,
  now: Date,
): Promise<{ granted: Map<string, number>; nextWindow: Date }> {
  const windowStart = new Date(Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS);
  const nextWindow = new Date(windowStart.getTime() + WINDOW_MS);
  const wants = new Map<string, number>();
  for (const d of domains) wants.set(d, (wants.get(d) ?? 0) + 1);
  const names = [...wants.keys()];
  const at = windowStart.toISOString();
  await tx.$executeRaw`
    INSERT INTO "send_domain_windows" ("domain", "window_start", "sent")
    SELECT d, (${at}::timestamptz AT TIME ZONE 'UTC'), 0 FROM unnest(${names}::text[]) AS d
    ON CONFLICT DO NOTHING`;
  const rows = await tx.$queryRaw<{ domain: string; granted: number }[]>`
    WITH want AS (
      SELECT * FROM unnest(${names}::text[], ${names.map((d) => wants.get(d)!)}::int[], ${names.map((d) => limits[d]!)}::int[]) AS u(domain, want, cap)
    ), old AS (
      SELECT w."domain", w."sent" FROM "send_domain_windows" w JOIN want ON want.domain = w."domain"
      WHERE w."window_start" = (${at}::timestamptz AT TIME ZONE 'UTC') FOR UPDATE
    )
    UPDATE "send_domain_windows" w SET "sent" = old."sent" + LEAST(want.want, GREATEST(0, want.cap - old."sent"))
    FROM old JOIN want ON want.domain = old."domain"
    WHERE w."domain" = old."domain" AND w."window_start" = (${at}::timestamptz AT TIME ZONE 'UTC')
    RETURNING w."domain", LEAST(want.want, GREATEST(0, want.cap - old."sent"))::int AS granted`;
  // Windows older than an hour have done their job.
  await tx.$executeRaw`DELETE FROM "send_domain_windows" WHERE "window_start" < (${new Date(windowStart.getTime() - 3_600_000).toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
  return { granted: new Map(rows.map((r) => [r.domain, r.granted])), nextWindow };
}
