// The attestation of existing consent an import may carry, and what it may
// change: it subscribes contacts to the attested categories without double
// opt-in, but never lifts an unsubscribe, a sunset or a suppression.
import { z } from 'zod';
import { MARKETING_CATEGORIES } from '../email/suppression';
import type { Db } from '../lib/db';
import type { ContactRef } from './schema';
import { findContact } from './service';

export const consentAttestationSchema = z.strictObject({
  /** Where the consent was obtained, e.g. "2024 webinar sign-up form". */
  source: z.string().trim().min(1).max(200),
  /** When it was obtained (a date or a date-time); not in the future. */
  obtainedAt: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((s) => new Date(s))
    .refine((d) => d.getTime() <= Date.now() + 60_000, { message: 'must not be in the future' }),
  categories: z
    .array(z.enum(MARKETING_CATEGORIES))
    .min(1)
    .max(MARKETING_CATEGORIES.length)
    .transform((c) => [...new Set(c)]),
  /** Who attests that the consent exists (a person or team, kept on each consent record). */
  attestedBy: z.string().trim().min(1).max(200),
});
export type ConsentAttestation = z.infer<typeof consentAttestationSchema>;

export interface Suppressed {
  category: string;
  reason: string;
}

/**
 * Why `category` must not be subscribed for this contact by an attestation,
 * or null if it may. Mirrors what email/suppression.ts blocks at send time.
 */
export function subscribeRefusal(
  subscriptions: Record<string, string>,
  suppressed: readonly Suppressed[],
  category: string,
): string | null {
  const state = subscriptions[category];
  if (state === 'unsubscribed' || subscriptions['*'] === 'unsubscribed') {
    return `not subscribed to ${category}: the contact unsubscribed${state === 'unsubscribed' ? '' : ' from all marketing email'}`;
  }
  if (state === 'sunset') return `not subscribed to ${category}: the contact was sunset from it`;
  const s = suppressed.find((x) => x.category === category || x.category === '*');
  return s ? `not subscribed to ${category}: the address is suppressed (${s.reason})` : null;
}

/**
 * A contact's consent records, newest first (what each attestation said, and
 * which import carried it), with the contact's current subscriptions; null if
 * there is no such contact.
 */
export async function consentRecords(db: Db, ref: ContactRef) {
  const contact = await findContact(db, ref);
  if (!contact) return null;
  const rows = await db.contactConsent.findMany({ where: { contactId: contact.id }, orderBy: { recordedAt: 'desc' }, take: 100 });
  const records = rows.map((r) => ({
    id: r.id,
    categories: r.categories,
    source: r.source,
    obtainedAt: r.obtainedAt,
    attestedBy: r.attestedBy,
    importId: r.importId,
    recordedAt: r.recordedAt,
  }));
  return {
    contactId: contact.id,
    subscriptions: contact.subscriptions,
    marketingConsent: contact.marketingConsent,
    consentUpdatedAt: contact.consentUpdatedAt,
    records,
  };
}
