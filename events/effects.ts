// What an event changes on the contact record, in the same transaction that
// stores the event, so a repeated delivery (deduplicated) never counts twice.
import type { Contact, Event, Prisma } from '@prisma/client';
import { applyEmailEventEffects } from '../email/suppression';

function numberProp(props: Prisma.JsonValue, key: string): number | undefined {
  if (!props || typeof props !== 'object' || Array.isArray(props)) return undefined;
  const v = (props as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export async function applyEventToContact(
  tx: Prisma.TransactionClient,
  contact: Contact,
  event: Event,
): Promise<void> {
  await applyEmailEventEffects(tx, contact, event); // bounces, complaints, opt-in: email/suppression.ts
  switch (event.type) {
    case 'purchase': {
      const amount = numberProp(event.properties, 'amount') ?? 0;
      await tx.contact.update({
        where: { id: contact.id },
        data: {
          lifetimeSpendCents: { increment: BigInt(Math.round(amount * 100)) },
          purchaseCount: { increment: 1 },
          lastPurchaseAt: event.occurredAt,
        },
      });
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
