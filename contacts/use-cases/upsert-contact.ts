// Creates or updates a contact by email (POST /v1/contacts).
import { Prisma } from '@prisma/client';
import type { Db } from '../../lib/db';
import type { ContactUpsert } from '../schema';
import { contactView, upsertContact } from '../service';

export async function saveContact(deps: { db: Db; onEventsStored?: () => void }, input: ContactUpsert) {
  // Two first upserts of one address may race; the loser runs again and updates.
  const run = () => deps.db.$transaction((tx) => upsertContact(tx, input));
  // A ContactConflictError (409) says which field names another contact.
  const { contact, created } = await run().catch((err: unknown) => {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return run();
    throw err;
  });
  deps.onEventsStored?.(); // attribute changes are events too
  return { contact: contactView(contact), created };
}
