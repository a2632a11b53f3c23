// What an event changes on the contact record, in the same transaction that
// stores the event, so a repeated delivery (deduplicated) never counts twice.
import type { Contact, Event, Prisma } from '@prisma/client';
import { applyEmailEventEffects } from '../email/suppression';

function numberProp(props: Prisma.JsonValue, key: string): number | undefined {
  if (!props || typeof props !== 'object' || Array.isArray(props)) return undefined;
  const v = (props as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function stringProp(props: Prisma.JsonValue, key: string): string | undefined {
  if (!props || typeof props !== 'object' || Array.isArray(props)) return undefined;
  const v = (props as Record<string, unknown>)[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The event types that change the contact record beyond the upsert of its
 * profile: every case of applyEventToContact below and of
 * applyEmailEventEffects. Events of other types are stored by one SQL
 * statement (events/ingest.ts); keep this list in step with both switches
 * (test/unit/event-effects.test.ts checks it).
 */
export const TYPES_WITH_CONTACT_EFFECTS: ReadonlySet<string> = new Set([
  'purchase',
  'email_clicked',
  'email_opened',
  'email_bounced',
  'email_complained',
  'email_unsubscribed',
  'newsletter_subscribe_requested',
]);

export async function applyEventToContact(tx: Prisma.TransactionClient, contact: Contact, event: Event): Promise<void> {
  await applyEmailEventEffects(tx, contact, event); // bounces, complaints, opt-in: email/suppression.ts
  switch (event.type) {
    case 'purchase': {
      const amount = numberProp(event.properties, 'amount') ?? 0;
      if (amount < 0) return; // a refund is not a purchase: no spend, no cadence
      // Lock the row: concurrent purchases must not lose each other's cadence update.
      await tx.$executeRaw`SELECT id FROM contacts WHERE id = ${contact.id}::uuid FOR UPDATE`;
      const c = await tx.contact.findUniqueOrThrow({ where: { id: contact.id } });
      // Spend counts in the contact's currency only; Rapport does not convert.
      const currency = stringProp(event.properties, 'currency');
      const countsAsSpend = currency === undefined || currency.toUpperCase() === c.currency;
      await tx.contact.update({
        where: { id: contact.id },
        data: {
          ...(countsAsSpend ? { lifetimeSpendCents: { increment: BigInt(Math.round(amount * 100)) } } : {}),
          purchaseCount: { increment: 1 },
          ...purchaseCadence(c, event.occurredAt),
        },
      });
      // A coupon used with the order is single-use: it is redeemed once, by its owner.
      const code = stringProp(event.properties, 'couponCode');
      if (code) {
        await tx.coupon.updateMany({
          where: { code, contactId: contact.id, status: 'issued' },
          data: { status: 'redeemed', redeemedAt: event.occurredAt },
        });
      }
      return;
    }
    case 'email_clicked':
      await tx.contact.update({
        where: { id: contact.id },
        data: { lastClickAt: event.occurredAt, newslettersSinceLastClick: 0 },
      });
      return;
    case 'email_opened':
      await tx.contact.update({ where: { id: contact.id }, data: { lastOpenAt: event.occurredAt } });
      return;
    default:
      return;
  }
}

/** The shortest average interval a cadence assumes: purchases seconds apart are one shopping trip, not a daily habit. */
export const MIN_PURCHASE_INTERVAL_MS = 86_400_000;

/**
 * First and last purchase, and when the next one is overdue: the last purchase
 * plus twice the average interval between purchases (known from the second on),
 * the average being at least MIN_PURCHASE_INTERVAL_MS (so at least 2 days).
 * Events may arrive out of order, hence min/max.
 */
export function purchaseCadence(c: Pick<Contact, 'firstPurchaseAt' | 'lastPurchaseAt' | 'purchaseCount'>, at: Date) {
  const first = c.firstPurchaseAt && c.firstPurchaseAt < at ? c.firstPurchaseAt : at;
  const last = c.lastPurchaseAt && c.lastPurchaseAt > at ? c.lastPurchaseAt : at;
  const count = c.purchaseCount + 1;
  const interval = count >= 2 ? (last.getTime() - first.getTime()) / (count - 1) : null;
  return {
    firstPurchaseAt: first,
    lastPurchaseAt: last,
    nextPurchaseDueAt: interval !== null ? new Date(last.getTime() + 2 * Math.max(interval, MIN_PURCHASE_INTERVAL_MS)) : null,
  };
}
