import express, { Router } from 'express';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';
import { SIGNATURE_HEADER, verifyWebhook } from '../../lib/webhook-signature';
import { storeEvents } from './events';

/**
 * POST /webhooks/:source: events from other systems (shop, website, webinar
 * tool). Authenticated by an HMAC signature over the raw body; the body has the
 * same shape as POST /v1/events. Event ids are scoped by source.
 */
export function webhooksRouter(deps: ServerDeps): Router {
  const r = Router();
  r.post('/webhooks/:source', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const source = req.params.source;
    // Own keys only: "constructor", "__proto__" and friends are not sources.
    const secret = Object.hasOwn(deps.webhookSecrets, source) ? deps.webhookSecrets[source] : undefined;
    if (typeof secret !== 'string' || secret === '')
      throw new HttpError(404, 'unknown_source', `no webhook source "${source}" is configured`);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifyWebhook(secret, req.get(SIGNATURE_HEADER), raw, deps.webhookToleranceSeconds);
    if (!check.ok) throw new HttpError(401, 'bad_signature', check.reason, [{ path: `header.${SIGNATURE_HEADER}`, message: check.reason }]);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
    }
    const store = () => storeEvents(deps.db, `webhook:${source}`, body, deps.ingestGroup);
    const out = deps.ingestAdmission ? await deps.ingestAdmission.run(store) : await store();
    deps.onEventsStored();
    res.status(out.status).json(out.body);
  });
  return r;
}
