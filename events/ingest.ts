// Stores events. A stored event is also an outbox entry: the dispatcher hands it
// to Temporal later, so accepting an event never depends on Temporal being up.
import { Prisma, type Contact, type Event } from '@prisma/client';
import type { Db } from '../lib/db';
import { ContactConflictError, findContact, upsertContact } from '../contacts/service';
import { applyEventToContact } from './effects';
import type { EventInput } from './schema';

export interface IngestResult {
  id: string;
  eventId: string;
  contactId: string;
  duplicate: boolean;
}

export class UnknownContactError extends Error {
  override name = 'UnknownContactError';
}

async function resolveContact(tx: Prisma.TransactionClient, c: EventInput['contact']): Promise<Contact> {
  const { id, email, ...profile } = c;
  if (email) return (await upsertContact(tx, { ...profile, email })).contact;
  const found = await findContact(tx, { id, externalId: c.externalId });
  if (!found) throw new UnknownContactError('no contact with that id or externalId; include an email to create one');
  return found;
}

/** Stores one event (and its contact changes) atomically; repeats are no-ops. */
export async function ingestEvent(db: Db, source: string, input: EventInput): Promise<IngestResult> {
  const idempotencyKey = `${source}:${input.id}`;
  for (let attempt = 1; ; attempt++) {
    const existing = await db.event.findUnique({ where: { idempotencyKey } });
    if (existing) return { id: input.id, eventId: existing.id, contactId: existing.contactId, duplicate: true };
    try {
      return await db.$transaction(async (tx) => {
        const contact = await resolveContact(tx, input.contact);
        const event: Event = await tx.event.create({
          data: {
            idempotencyKey,
            source,
            type: input.type,
            contactId: contact.id,
            properties: input.properties as Prisma.InputJsonObject,
            occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
          },
        });
        await applyEventToContact(tx, contact, event);
        return { id: input.id, eventId: event.id, contactId: contact.id, duplicate: false };
      });
    } catch (err) {
      // A unique violation means a concurrent request won a race: two deliveries
      // of this event (then the loop reports the duplicate), or two first events
      // of a new contact (then the contact exists now). Run once more.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002' && attempt < 3) continue;
      throw err;
    }
  }
}

export { ContactConflictError };
