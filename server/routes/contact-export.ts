// GET /v1/contacts/{ref}/export: a GDPR access request, everything held about
// the contact as one JSON document (contacts/export.ts).
import { Router } from 'express';
import { z } from 'zod';
import { exportContact } from '../../contacts/export';
import { findContact } from '../../contacts/service';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

const exportQuery = z.object({ by: z.enum(['id', 'email', 'externalId']).default('id'), download: z.enum(['1']).optional() });

export function contactExportRouter(deps: ServerDeps): Router {
  const r = Router();
  r.get('/contacts/:ref/export', async (req, res) => {
    const { by, download } = parseOr400(exportQuery, { by: req.query.by, download: req.query.download }, 'query');
    const ref = req.params.ref;
    if (by === 'id') parseOr400(z.uuid({ message: 'must be a contact id (UUID); use ?by=email or ?by=externalId otherwise' }), ref, 'ref');
    const found = await findContact(deps.db, { [by]: by === 'email' ? ref.trim().toLowerCase() : ref });
    const out = found ? await exportContact(deps.db, found.id) : null;
    if (!found || !out) throw new HttpError(404, 'contact_not_found', `no contact with ${by} given`);
    deps.log.info({ contactId: found.id }, 'contact exported');
    // ?download=1 (a browser link): saved as a file; JSON either way.
    if (download) res.set('content-disposition', `attachment; filename="contact-${found.id}.json"`);
    res.json(out);
  });
  return r;
}
