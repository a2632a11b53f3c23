// TYPES_WITH_CONTACT_EFFECTS decides which events may skip the general ingest
// transaction (events/ingest.ts): it must name every type whose effects touch
// the database, and only those.
import type { Contact, Event, Prisma } from '@prisma/client';
import { describe, expect, it } from 'vitest';
import { applyEventToContact, TYPES_WITH_CONTACT_EFFECTS } from '../../events/effects';

const contact: Contact = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'a@example.com',
  externalId: null,
  firstName: null,
  lastName: null,
  company: null,
  phone: null,
  timeZone: 'UTC',
  locale: 'en',
  currency: 'USD',
  attributes: {},
  tags: [],
  subscriptions: {},
  marketingConsent: false,
  consentUpdatedAt: null,
  lifetimeSpendCents: 0n,
  tier: null,
  loyaltyPoints: 0,
  purchaseCount: 0,
  lastPurchaseAt: null,
  firstPurchaseAt: null,
  nextPurchaseDueAt: null,
  newslettersSinceLastClick: 0,
  newsletterSunsetAt: null,
  lastClickAt: null,
  lastOpenAt: null,
  ownerEmail: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  deletedAt: null,
};

/** A transaction that records which of its models or methods were used, answering with the contact. */
function recordingTx() {
  const used: string[] = [];
  const call =
    (name: string) =>
    (..._args: unknown[]) => {
      used.push(name);
      return Promise.resolve(name.startsWith('$') ? 1 : contact);
    };
  const model = (m: string) => new Proxy(Object.create(null), { get: (_t, method) => call(`${m}.${String(method)}`) });
  const tx = new Proxy<Prisma.TransactionClient>(Object.create(null), {
    get: (_t, key) => (String(key).startsWith('$') ? call(String(key)) : model(String(key))),
  });
  return { tx, used };
}

const event = (type: string, properties: Prisma.JsonObject = {}): Event => ({
  id: '00000000-0000-4000-8000-000000000002',
  idempotencyKey: `api:${type}`,
  source: 'api',
  type,
  contactId: contact.id,
  properties,
  occurredAt: new Date(),
  receivedAt: new Date(),
  dispatchedAt: null,
  dispatchAttempts: 0,
  nextDispatchAt: new Date(),
  dispatchError: null,
});

describe('TYPES_WITH_CONTACT_EFFECTS', () => {
  it('names every type whose effects write to the database', async () => {
    const props: Record<string, Prisma.JsonObject> = { purchase: { amount: 10 } };
    for (const type of TYPES_WITH_CONTACT_EFFECTS) {
      const { tx, used } = recordingTx();
      await applyEventToContact(tx, contact, event(type, props[type] ?? {}));
      expect(used, type).not.toEqual([]);
    }
  });

  it('leaves every other type without effects', async () => {
    for (const type of [
      'signed_up',
      'page_viewed',
      'attribute_changed',
      'webinar_attended',
      'email_sent',
      'purchase_refunded',
      'newsletter_subscribed',
    ]) {
      const { tx, used } = recordingTx();
      await applyEventToContact(tx, contact, event(type, { amount: 10, email: 'b@example.com', category: 'news' }));
      expect(used, type).toEqual([]);
    }
  });
});
