// Consent state: subscription categories per contact, and the suppression
// list (addresses we must not mail: unsubscribed, hard bounce, complaint).
// Checked at send time for every email; changed by unsubscribe links, the
// preference page, double opt-in, SMTP hard bounces and provider webhooks.
import type { Contact, Event, Prisma } from '@prisma/client';
import { jsonObject } from '../lib/json';

/** Categories a contact can choose on the preference page. */
export const MARKETING_CATEGORIES = ['newsletter', 'journeys'] as const;
export const CATEGORY_LABELS: Record<string, string> = {
  newsletter: 'The newsletter',
  journeys: 'Tips, offers and follow-ups about what you do with us',
  transactional: 'Receipts and account email (always sent)',
};

export type SubscriptionState = 'subscribed' | 'pending' | 'unsubscribed';
export type SuppressionReason = 'unsubscribed' | 'hard_bounce' | 'complaint' | 'manual';

type Tx = Prisma.TransactionClient;

/** A contact's subscription states by category (`*` for all marketing), read from the stored JSON. */
export function subscriptionsOf(c: Pick<Contact, 'subscriptions'>): Record<string, string> {
  // Stored subscriptions are a JSON object of category → state; anything else reads as none.
  const parsed = jsonObject(c.subscriptions);
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Why this contact must not get an email of `category`, or null if it may,
 * from its subscriptions and the suppression entries of its address (those
 * for `category` or `*`, oldest first). Transactional email ignores
 * preferences but not a hard bounce (the address does not exist).
 */
export function consentBlock(
  contact: Pick<Contact, 'subscriptions'>,
  category: string,
  suppressions: readonly { category: string; reason: string }[],
): string | null {
  if (category === 'transactional') {
    return suppressions.some((s) => s.category === '*' && s.reason === 'hard_bounce') ? 'address suppressed: hard_bounce' : null;
  }
  const bySubscription = subscriptionBlock(contact, category);
  if (bySubscription) return bySubscription;
  const s = suppressions.find((x) => x.category === category || x.category === '*');
  return s ? suppressionBlock(s) : null;
}

/** Why the contact's own choices forbid a marketing email of `category`, or null. */
export function subscriptionBlock(contact: Pick<Contact, 'subscriptions'>, category: string): string | null {
  const subs = subscriptionsOf(contact);
  if (subs[category] === 'unsubscribed' || subs['*'] === 'unsubscribed')
    return `unsubscribed from ${subs[category] === 'unsubscribed' ? category : 'all marketing email'}`;
  if (subs[category] === 'pending') return `${category} subscription not confirmed yet (double opt-in)`;
  // Sunset (re-engagement found no interest): kept, never mailed this category again.
  if (subs[category] === 'sunset') return `sunset from ${category}`;
  // The newsletter is opt-in (double opt-in): no state means never subscribed.
  if (category === 'newsletter' && subs[category] !== 'subscribed') return 'not subscribed to the newsletter';
  return null;
}

/** The reason an entry of the suppression list gives (the oldest entry that applies). */
export function suppressionBlock(s: { category: string; reason: string }): string {
  return `address suppressed${s.category === '*' ? '' : ` for ${s.category}`}: ${s.reason}`;
}

/** Adds an address to the suppression list (the first reason stays). */
export async function suppress(tx: Tx, email: string, category: string, reason: SuppressionReason, source: string): Promise<void> {
  await tx.suppression.upsert({
    where: { email_category: { email: email.trim().toLowerCase(), category } },
    create: { email: email.trim().toLowerCase(), category, reason, source },
    update: {},
  });
}

/** Sets subscription states, and mirrors "unsubscribed" in the suppression list. */
export async function setSubscriptions(
  tx: Tx,
  contactId: string,
  changes: Record<string, SubscriptionState>,
  source: string,
): Promise<Contact | null> {
  const c = await tx.contact.findUnique({ where: { id: contactId } });
  if (!c) return null;
  // A deleted contact can still be unsubscribed (harmless), never subscribed.
  if (c.deletedAt && Object.values(changes).some((v) => v !== 'unsubscribed')) return null;
  const subs = { ...subscriptionsOf(c), ...changes };
  const updated = await tx.contact.update({
    where: { id: c.id },
    data: { subscriptions: subs as Prisma.InputJsonObject, consentUpdatedAt: new Date() },
  });
  for (const [category, state] of Object.entries(changes)) {
    if (state === 'unsubscribed') await suppress(tx, c.email, category, 'unsubscribed', source);
    // Choosing a category again lifts an unsubscribe, never a bounce or complaint.
    if (state === 'subscribed') await tx.suppression.deleteMany({ where: { email: c.email, category, reason: 'unsubscribed' } });
  }
  return updated;
}

function props(e: Event): Record<string, unknown> {
  const p = e.properties;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

/** A bounce is hard unless the sender says it is soft/transient. */
function isHardBounce(p: Record<string, unknown>): boolean {
  const t = String(p.bounceType ?? p.type ?? p.kind ?? 'hard').toLowerCase();
  return !['soft', 'transient', 'temporary', 'softbounce', 'soft_bounce', 'deferred'].includes(t);
}

/**
 * What consent and delivery events change, in the transaction that stores
 * the event (called from events/effects.ts):
 * - email_bounced {email?, bounceType?: "hard"|"soft", reason?}: a hard bounce
 *   suppresses the address for everything;
 * - email_complained {email?}: suppresses the address for all marketing email;
 * - email_unsubscribed {category?}: unsubscribes from a category (default all);
 * - newsletter_subscribe_requested: newsletter "pending" until confirmed.
 */
export async function applyEmailEventEffects(tx: Tx, contact: Contact, event: Event): Promise<void> {
  const p = props(event);
  const email = typeof p.email === 'string' && p.email.includes('@') ? p.email : contact.email;
  const source = `event:${event.source}`;
  switch (event.type) {
    case 'email_bounced':
      if (isHardBounce(p)) await suppress(tx, email, '*', 'hard_bounce', source);
      return;
    case 'email_complained':
      await suppress(tx, email, '*', 'complaint', source);
      await setSubscriptions(tx, contact.id, { '*': 'unsubscribed' }, source);
      return;
    case 'email_unsubscribed': {
      const category = typeof p.category === 'string' && p.category !== '' ? p.category : '*';
      await setSubscriptions(tx, contact.id, { [category]: 'unsubscribed' }, source);
      return;
    }
    case 'newsletter_subscribe_requested':
      if (subscriptionsOf(contact).newsletter !== 'subscribed') {
        await setSubscriptions(tx, contact.id, { newsletter: 'pending' }, source);
      }
      return;
    default:
      return;
  }
}
