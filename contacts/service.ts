// Contact record operations: normalised upsert with de-duplication, lookup.
import type { Contact, Prisma } from '@prisma/client';
import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db';
import { DomainError } from '../lib/errors';
import { recordAttributeChanges, recordSystemEvent } from './system-events';
import { SYSTEM_EVENTS } from '../shared/system-events';
import type { ContactProfile, ContactRef, ContactUpsert } from './schema';

/** A conflict the caller must resolve (e.g. email and externalId name two different contacts). */
export class ContactConflictError extends DomainError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super('conflict', 'contact_conflict', message, [{ path: field, message }]);
  }
}

type Tx = Prisma.TransactionClient | Db;

export async function findContact(db: Tx, ref: ContactRef): Promise<Contact | null> {
  const where: Prisma.ContactWhereInput = ref.id ? { id: ref.id } : ref.externalId ? { externalId: ref.externalId } : { email: ref.email };
  return db.contact.findFirst({ where: { ...where, deletedAt: null } });
}

/** Applies an attributes patch: a null value removes the key. */
export function mergeAttributes(current: Prisma.JsonValue, patch: ContactProfile['attributes']): Prisma.InputJsonObject {
  const base = current && typeof current === 'object' && !Array.isArray(current) ? { ...current } : {};
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete base[k];
    else base[k] = v;
  }
  return base as Prisma.InputJsonObject;
}

function profileData(p: ContactProfile) {
  return {
    externalId: p.externalId,
    firstName: p.firstName,
    lastName: p.lastName,
    company: p.company,
    phone: p.phone,
    timeZone: p.timeZone,
    locale: p.locale,
    currency: p.currency,
    ownerEmail: p.ownerEmail,
    tags: p.tags,
    ...(p.marketingConsent !== undefined ? { marketingConsent: p.marketingConsent, consentUpdatedAt: new Date() } : {}),
  };
}

/**
 * Creates or updates a contact. It is matched by externalId when given, else by
 * email. Returns whether it was created. Must run inside a transaction when
 * combined with other writes.
 */
export async function upsertContact(db: Tx, input: ContactUpsert): Promise<{ contact: Contact; created: boolean }> {
  const byExternal = input.externalId ? await db.contact.findUnique({ where: { externalId: input.externalId } }) : null;
  const byEmail = await db.contact.findUnique({ where: { email: input.email } });
  if (byExternal && byEmail && byExternal.id !== byEmail.id) {
    throw new ContactConflictError('email belongs to a different contact than externalId; merge them or change one', 'email');
  }
  const existing = byExternal ?? byEmail;
  if (existing) {
    if (existing.externalId && input.externalId && existing.externalId !== input.externalId) {
      throw new ContactConflictError('this email already belongs to a contact with another externalId', 'externalId');
    }
    const contact = await db.contact.update({
      where: { id: existing.id },
      data: {
        ...profileData(input),
        email: input.email,
        deletedAt: null,
        ...(input.attributes ? { attributes: mergeAttributes(existing.attributes, input.attributes) } : {}),
      },
    });
    // Journeys can be triggered by attribute changes: record them as events.
    await recordAttributeChanges(db, contact.id, existing.attributes, contact.attributes, `upsert:${randomUUID()}`);
    return { contact, created: false };
  }
  const contact = await db.contact.create({
    data: { ...profileData(input), email: input.email, attributes: mergeAttributes({}, input.attributes) },
  });
  await recordAttributeChanges(db, contact.id, {}, contact.attributes, `upsert:${randomUUID()}`);
  return { contact, created: true };
}

/**
 * Deletes a contact: personal data is erased at once from the record, its
 * events, sends, timeline details and tasks (the rows stay, scrubbed, so counts
 * remain consistent), and a `contact_deleted` event ends every run of theirs.
 * Temporal keeps closed histories until the namespace's retention period ends.
 */
export async function deleteContact(db: Db, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const c = await tx.contact.findUnique({ where: { id } });
    if (!c || c.deletedAt) return false;
    await tx.contact.update({
      where: { id },
      data: {
        deletedAt: new Date(),
        email: `deleted+${id}@invalid`,
        externalId: null,
        firstName: null,
        lastName: null,
        phone: null,
        company: null,
        attributes: {},
        tags: [],
        ownerEmail: null,
      },
    });
    // What other records say about the person goes too; ids, counts and times stay.
    await tx.messageSend.updateMany({ where: { contactId: id }, data: { toAddress: `deleted+${id}@invalid`, subject: null, error: null } });
    await tx.event.updateMany({ where: { contactId: id }, data: { properties: {} } });
    await tx.journeyStepLog.updateMany({ where: { contactId: id }, data: { detail: {} } });
    await tx.salesTask.updateMany({ where: { contactId: id }, data: { reason: '[erased]', status: 'cancelled' } });
    await tx.approval.updateMany({ where: { contactId: id }, data: { detail: {} } });
    await recordSystemEvent(tx, { contactId: id, type: SYSTEM_EVENTS.contactDeleted, key: `delete:${id}`, properties: {} });
    return true;
  });
}

/** The JSON shape of a contact on the API (BigInt money as a number of cents). */
export function contactView(c: Contact) {
  return {
    id: c.id,
    email: c.email,
    externalId: c.externalId,
    firstName: c.firstName,
    lastName: c.lastName,
    company: c.company,
    phone: c.phone,
    timeZone: c.timeZone,
    locale: c.locale,
    currency: c.currency,
    ownerEmail: c.ownerEmail,
    attributes: c.attributes,
    tags: c.tags,
    subscriptions: c.subscriptions,
    marketingConsent: c.marketingConsent,
    lifetimeSpendCents: Number(c.lifetimeSpendCents),
    tier: c.tier,
    loyaltyPoints: c.loyaltyPoints,
    purchaseCount: c.purchaseCount,
    lastPurchaseAt: c.lastPurchaseAt,
    nextPurchaseDueAt: c.nextPurchaseDueAt,
    newslettersSinceLastClick: c.newslettersSinceLastClick,
    newsletterSunsetAt: c.newsletterSunsetAt,
    lastClickAt: c.lastClickAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
export type ContactView = ReturnType<typeof contactView>;
