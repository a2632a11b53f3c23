// /v1/contacts: upsert, get (by id, email or external id), timeline, erasure.
// Each route parses its input and calls one use case (contacts/use-cases/).
import { Router } from 'express';
import { z } from 'zod';
import { contactUpsertSchema } from '../../contacts/schema';
import { contactView } from '../../contacts/service';
import { contactByRef } from '../../contacts/use-cases/contact-by-ref';
import { timelineOf } from '../../contacts/use-cases/contact-timeline';
import { eraseContact } from '../../contacts/use-cases/erase-contact';
import { saveContact } from '../../contacts/use-cases/upsert-contact';
import type { ServerDeps } from '../context';
import { parseOr400 } from '../errors';

export const lookupSchema = z.object({
  by: z.enum(['id', 'email', 'externalId']).default('id'),
});
const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.iso.datetime({ offset: true }).optional(),
});

export function contactsRouter(deps: ServerDeps): Router {
  const r = Router();
  const uc = { db: deps.db, onEventsStored: deps.onEventsStored };

  r.post('/contacts', async (req, res) => {
    const out = await saveContact(uc, parseOr400(contactUpsertSchema, req.body));
    res.status(out.created ? 201 : 200).json(out);
  });

  r.get('/contacts/:ref', async (req, res) => {
    const { by } = parseOr400(lookupSchema, req.query, 'query');
    res.json({ contact: contactView(await contactByRef(deps.db, req.params.ref, by)) });
  });

  r.get('/contacts/:ref/timeline', async (req, res) => {
    const { by } = parseOr400(lookupSchema, { by: req.query.by }, 'query');
    const q = parseOr400(timelineQuery, { limit: req.query.limit, before: req.query.before }, 'query');
    res.json(await timelineOf(deps.db, req.params.ref, by, q));
  });

  r.delete('/contacts/:ref', async (req, res) => {
    const { by } = parseOr400(lookupSchema, req.query, 'query');
    await eraseContact(uc, req.params.ref, by);
    res.status(204).end();
  });

  return r;
}
