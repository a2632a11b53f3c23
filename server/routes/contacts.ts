import { Prisma } from '@prisma/client';
import { Router } from 'express';
import { z } from 'zod';
import { contactUpsertSchema } from '../../contacts/schema';
import { ContactConflictError, contactView, deleteContact, findContact, upsertContact } from '../../contacts/service';
import { contactTimeline } from '../../contacts/timeline';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

export const lookupSchema = z.object({
  by: z.enum(['id', 'email', 'externalId']).default('id'),
});
const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.iso.datetime({ offset: true }).optional(),
});

/** /v1/contacts: upsert, get (by id, email or external id), timeline. */
export function contactsRouter(deps: ServerDeps): Router {
  const r = Router();

  r.post('/contacts', async (req, res) => {
    const input = parseOr400(contactUpsertSchema, req.body);
    try {
      // Two first upserts of one address may race; the loser runs again and updates.
      const run = () => deps.db.$transaction((tx) => upsertContact(tx, input));
      const { contact, created } = await run().catch((err: unknown) => {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return run();
        throw err;
      });
      deps.onEventsStored(); // attribute changes are events too
      res.status(created ? 201 : 200).json({ contact: contactView(contact), created });
    } catch (err) {
      if (err instanceof ContactConflictError) {
        throw new HttpError(409, 'contact_conflict', err.message, [{ path: err.field, message: err.message }]);
      }
      throw err;
    }
  });

  async function load(ref: string, by: 'id' | 'email' | 'externalId') {
    const parsed =
      by === 'id'
        ? z.uuid({ message: 'must be a contact id (UUID); use ?by=email or ?by=externalId otherwise' }).safeParse(ref)
        : { success: true as const, data: ref };
    if (!parsed.success) throw new HttpError(400, 'validation_failed', parsed.error.issues[0]!.message, [{ path: 'ref', message: parsed.error.issues[0]!.message }]);
    const contact = await findContact(deps.db, { [by]: by === 'email' ? ref.trim().toLowerCase() : ref });
    if (!contact) throw new HttpError(404, 'contact_not_found', `no contact with ${by} given`);
    return contact;
  }

  r.get('/contacts/:ref', async (req, res) => {
    const { by } = parseOr400(lookupSchema, req.query, 'query');
    res.json({ contact: contactView(await load(req.params.ref, by)) });
  });

  r.get('/contacts/:ref/timeline', async (req, res) => {
    const { by } = parseOr400(lookupSchema, { by: req.query.by }, 'query');
    const q = parseOr400(timelineQuery, { limit: req.query.limit, before: req.query.before }, 'query');
    const contact = await load(req.params.ref, by);
    const entries = await contactTimeline(deps.db, contact.id, { limit: q.limit, before: q.before ? new Date(q.before) : undefined });
    res.json({ contactId: contact.id, entries });
  });

  /** Erases the contact's personal data and ends their journey runs. */
  r.delete('/contacts/:ref', async (req, res) => {
    const { by } = parseOr400(lookupSchema, req.query, 'query');
    const contact = await load(req.params.ref, by);
    await deleteContact(deps.db, contact.id);
    deps.onEventsStored();
    res.status(204).end();
  });

  return r;
}
