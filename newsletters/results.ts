// What a newsletter achieved: of its recipients who were sent it, how many
// opened, clicked, and have unsubscribed from the newsletter since it was sent.
// One aggregate query over the recipient table and the sends it links to.
import type { Condition } from '../journeys/schema';
import type { Db } from '../lib/db';
import { segmentWhere } from '../segments/compile';
import { SUBSCRIBED_TO_NEWSLETTER } from './audience';

export interface NewsletterResults {
  sent: number;
  opened: number;
  clicked: number;
  /** Recipients now unsubscribed from the newsletter (or from all marketing) whose consent changed after the send. */
  unsubscribed: number;
}

export async function newsletterResults(db: Db, broadcastId: string): Promise<NewsletterResults> {
  const rows = await db.$queryRaw<NewsletterResults[]>`
    SELECT count(*)::int AS sent,
           count(*) FILTER (WHERE s."opens" > 0)::int AS opened,
           count(*) FILTER (WHERE s."clicks" > 0)::int AS clicked,
           count(*) FILTER (WHERE (c."subscriptions"->>'newsletter' = 'unsubscribed' OR c."subscriptions"->>'*' = 'unsubscribed')
                              AND c."consent_updated_at" >= coalesce(s."sent_at", s."created_at"))::int AS unsubscribed
      FROM "broadcast_recipients" r
      JOIN "message_sends" s ON s."id" = r."send_id"
      JOIN "contacts" c ON c."id" = r."contact_id"
     WHERE r."broadcast_id" = ${broadcastId}::uuid AND r."status" = 'sent'`;
  return rows[0] ?? { sent: 0, opened: 0, clicked: 0, unsubscribed: 0 };
}

/** Who a newsletter to this segment would reach now: members, and those subscribed (the snapshot's rule, audience.ts). */
export async function newsletterAudience(db: Db, condition: Condition, now = new Date()): Promise<{ members: number; audience: number }> {
  const rows = await db.$queryRaw<{ members: number; audience: number }[]>`
    SELECT count(*)::int AS members,
           count(*) FILTER (WHERE ${SUBSCRIBED_TO_NEWSLETTER})::int AS audience
      FROM "contacts" c WHERE ${segmentWhere(condition, now)}`;
  return rows[0] ?? { members: 0, audience: 0 };
}
