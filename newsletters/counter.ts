// The exact count of newsletters since a contact's last click. Incremented in
// the transaction that marks a newsletter send `sent` (so once per send, never
// for a retry), reset to 0 by an `email_clicked` event (events/effects.ts).
// Each increment is also a `newsletter_sent` system event, so that journeys'
// condition triggers (re-engagement: newslettersSinceLastClick >= 5) are
// evaluated when it changes.
import { Prisma } from '@prisma/client';
import { recordSystemEvent } from '../contacts/system-events';
import { activeJourneys } from '../journeys/store';
import type { Db } from '../lib/db';
import { segmentIssues, segmentWhere } from '../segments/compile';

export const NEWSLETTER_SENT_EVENT = 'newsletter_sent';
export const NEWSLETTER_CATEGORY = 'newsletter';

export interface NewsletterSent {
  contactId: string;
  sendId: string;
  templateKey: string;
  broadcastId: string | null;
  /** "regular" | "reengagement"; null for a newsletter sent by a journey step. */
  variant: string | null;
  at: Date;
}

/** Counts one newsletter sent; returns the contact's new count. Call inside the transaction that marks the send sent. */
export async function countNewsletterSent(tx: Prisma.TransactionClient, s: NewsletterSent): Promise<number> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    UPDATE "contacts" SET "newsletters_since_last_click" = "newsletters_since_last_click" + 1, "updated_at" = now()
    WHERE "id" = ${s.contactId}::uuid RETURNING "newsletters_since_last_click" AS n`;
  const count = rows[0]?.n ?? 0;
  await recordSystemEvent(tx, {
    contactId: s.contactId,
    type: NEWSLETTER_SENT_EVENT,
    key: `${NEWSLETTER_SENT_EVENT}:${s.sendId}`,
    properties: { broadcastId: s.broadcastId, sendId: s.sendId, template: s.templateKey, variant: s.variant, count },
    occurredAt: s.at,
  });
  return count;
}

/**
 * Which `newsletter_sent` events a journey can care about, read once per
 * chunk of a broadcast. The dispatcher does two things with an event: it
 * signals the contact's running journey runs, and it starts journeys whose
 * trigger the event satisfies. For a newsletter_sent event that is:
 * - any contact with a running run (the run may wait for it);
 * - every contact, if an active journey triggers on the event type, or on a
 *   date field any event may move, or on a condition SQL cannot evaluate;
 * - the contacts for whom a condition trigger holds after the count moved
 *   (e.g. re-engagement: newslettersSinceLastClick >= 5), evaluated in SQL with
 *   the segment compiler in the transaction that counts.
 * The other events are stored already dispatched: the dispatcher would only
 * have found nothing to do, and 100,000 of them would compete with the sends.
 * They stay on the contact's timeline either way.
 */
export interface NewsletterEventPolicy {
  dispatchAll: boolean;
  conditions: Prisma.Sql[];
}

/** Date-trigger fields a newsletter_sent event cannot move (see events/triggers.ts). */
const UNMOVED_DATE_FIELDS = new Set(['lastPurchaseAt', 'nextPurchaseDueAt', 'lastClickAt', 'lastOpenAt']);

export async function newsletterEventPolicy(db: Db, now: Date): Promise<NewsletterEventPolicy> {
  const policy: NewsletterEventPolicy = { dispatchAll: false, conditions: [] };
  for (const j of await activeJourneys(db)) {
    const t = j.definition.trigger;
    if (t.type === 'event') {
      const types = Array.isArray(t.event) ? t.event : [t.event];
      if (types.includes(NEWSLETTER_SENT_EVENT)) policy.dispatchAll = true;
    } else if (t.type === 'date') {
      if (!UNMOVED_DATE_FIELDS.has(t.field) && !t.field.startsWith('attributes.')) policy.dispatchAll = true;
    } else if (t.type === 'condition') {
      if (segmentIssues(t.when).length > 0) policy.dispatchAll = true;
      else {
        try {
          policy.conditions.push(segmentWhere(t.when, now));
        } catch {
          policy.dispatchAll = true;
        }
      }
    }
  }
  return policy;
}

/**
 * Counts many newsletters sent at once (a broadcast chunk): one statement for
 * the counters, one to find who a journey can care about, one for the events.
 * Call inside the transaction that marks the sends sent, with only the sends
 * that transaction moved to `sent` (so once per send, never for a retry).
 */
export async function countNewslettersSent(
  tx: Prisma.TransactionClient,
  sends: NewsletterSent[],
  policy: NewsletterEventPolicy,
): Promise<number> {
  if (sends.length === 0) return 0;
  const ids = sends.map((s) => s.contactId);
  const counted = await tx.$queryRaw<{ id: string; n: number }[]>`
    UPDATE "contacts" c SET "newsletters_since_last_click" = c."newsletters_since_last_click" + 1, "updated_at" = now()
    FROM unnest(${ids}::uuid[]) AS u(id) WHERE c."id" = u.id
    RETURNING c."id"::text AS id, c."newsletters_since_last_click" AS n`;
  const countOf = new Map(counted.map((r) => [r.id, r.n]));
  let care: Set<string>;
  if (policy.dispatchAll) care = new Set(ids);
  else {
    const anyCondition =
      policy.conditions.length > 0
        ? Prisma.sql` OR (${Prisma.join(
            policy.conditions.map((c) => Prisma.sql`(${c})`),
            ' OR ',
          )})`
        : Prisma.empty;
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT c."id"::text AS id FROM "contacts" c
      WHERE c."id" = ANY(${ids}::uuid[])
        AND (EXISTS (SELECT 1 FROM "journey_runs" r WHERE r."contact_id" = c."id" AND r."status" = 'running')${anyCondition})`;
    care = new Set(rows.map((r) => r.id));
  }
  const live = sends.filter((s) => countOf.has(s.contactId));
  await tx.$executeRaw`
    INSERT INTO "events" ("id", "idempotency_key", "source", "type", "contact_id", "properties", "occurred_at", "received_at", "next_dispatch_at", "dispatched_at")
    SELECT gen_random_uuid(), 'system:' || ${NEWSLETTER_SENT_EVENT} || ':' || u.send_id, 'system', ${NEWSLETTER_SENT_EVENT}, u.contact_id, u.properties,
           (u.at::timestamptz AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'), CASE WHEN u.care THEN NULL ELSE (now() AT TIME ZONE 'UTC') END
    FROM unnest(${live.map((s) => s.sendId)}::text[], ${live.map((s) => s.contactId)}::uuid[],
                ${live.map((s) => JSON.stringify({ broadcastId: s.broadcastId, sendId: s.sendId, template: s.templateKey, variant: s.variant, count: countOf.get(s.contactId) ?? 0 }))}::jsonb[],
                ${live.map((s) => s.at.toISOString())}::text[], ${live.map((s) => care.has(s.contactId))}::boolean[])
         AS u(send_id, contact_id, properties, at, care)
    ON CONFLICT ("idempotency_key") DO NOTHING`;
  return live.filter((s) => care.has(s.contactId)).length;
}
