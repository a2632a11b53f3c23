// POST /v1/newsletter/subscriptions: a newsletter sign-up with double opt-in
// (newsletters/use-cases/subscribe.ts). The confirmation email goes out through
// the send-email activity's code, in this request.
import { Router } from 'express';
import { createSendEmail } from '../../activities/send-email';
import { newsletterSubscriptionSchema, subscribeToNewsletter } from '../../newsletters/use-cases/subscribe';
import type { ServerDeps } from '../context';
import { parseOr400 } from '../errors';

export function newsletterRouter(deps: ServerDeps): Router {
  const r = Router();
  const send = deps.mailer
    ? createSendEmail({
        db: deps.db,
        mailer: deps.mailer,
        log: deps.log,
        mailFrom: deps.mailFrom ?? 'Rapport <hello@rapport.localhost>',
        publicUrl: deps.publicUrl,
        linkSecret: deps.linkSecret,
      })
    : undefined;

  r.post('/newsletter/subscriptions', async (req, res) => {
    const body = parseOr400(newsletterSubscriptionSchema, req.body);
    const out = await subscribeToNewsletter({ db: deps.db, send, onEventsStored: deps.onEventsStored }, body);
    res.status(out.status === 'subscribed' ? 200 : 202).json(out);
  });

  return r;
}
