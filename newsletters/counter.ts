// The exact count of newsletters since a contact's last click. Incremented in
// the transaction that marks a newsletter send `sent` (so once per send, never
// for a retry), reset to 0 by an `email_clicked` event (events/effects.ts).
// Each increment is also a `newsletter_sent` system event, so that journeys'
// condition triggers (re-engagement: newslettersSinceLastClick >= 5) are
// evaluated when it changes.
import type { Prisma } from '@prisma/client';
import { recordSystemEvent } from '../events/system';

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
