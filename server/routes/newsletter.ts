// POST /v1/newsletter/subscriptions: a newsletter sign-up with double opt-in.
// The contact is stored with newsletter "pending" (event
// newsletter_subscribe_requested) and gets a confirmation email (transactional)
// whose signed link (/confirm/:token) makes it "subscribed". No newsletter is
// sent before that. Idempotent by `id`: a repeat sends no second email.
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { createSendEmail } from '../../activities/send-email';
import { contactProfileSchema, emailSchema } from '../../contacts/schema';
import { ContactConflictError, ingestEvent } from '../../events/ingest';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

export const CONFIRM_TEMPLATE = 'newsletter-confirm';

/** SHA-256 (hex) of a normalised address: stands in for it in idempotency keys. */
export function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export const newsletterSubscriptionSchema = contactProfileSchema.extend({
  email: emailSchema,
  /** Idempotency id for this sign-up (e.g. the form submission id). */
  id: z.string().trim().min(1).max(200).optional(),
  /** Where the sign-up came from, kept on the event. */
  source: z.string().max(200).optional(),
});

export function newsletterRouter(deps: ServerDeps): Router {
  const r = Router();

  r.post('/newsletter/subscriptions', async (req, res) => {
    const { id, source, ...contact } = parseOr400(newsletterSubscriptionSchema, req.body);
    if (!deps.mailer) throw new HttpError(503, 'no_mailer', 'this server has no SMTP configured (SMTP_URL)');
    const before = await deps.db.contact.findUnique({ where: { email: contact.email } });
    const subs = (before?.subscriptions ?? {}) as Record<string, string>;
    if (subs.newsletter === 'subscribed') {
      res.status(200).json({ status: 'subscribed', contactId: before!.id });
      return;
    }
    // Without an id, one sign-up per address per day. The key outlives an erasure
    // of the contact, so it holds a hash of the address, never the address.
    const requestId = id ?? `${emailDigest(contact.email)}:${new Date().toISOString().slice(0, 10)}`;
    const ev = await ingestEvent(deps.db, 'api', {
      id: `newsletter-signup:${requestId}`,
      type: 'newsletter_subscribe_requested',
      contact,
      properties: { source: source ?? null },
    }).catch((err: unknown) => {
      if (err instanceof ContactConflictError) {
        throw new HttpError(409, 'contact_conflict', err.message, [{ path: err.field, message: err.message }]);
      }
      throw err;
    });
    deps.onEventsStored();
    const send = createSendEmail({
      db: deps.db,
      mailer: deps.mailer,
      log: deps.log,
      mailFrom: deps.mailFrom ?? 'Rapport <hello@rapport.localhost>',
      publicUrl: deps.publicUrl,
      linkSecret: deps.linkSecret,
    });
    // Keyed by the sign-up event: a repeated request finds the send recorded.
    const out = await send({ contactId: ev.contactId, templateKey: CONFIRM_TEMPLATE, workflowId: `optin/${ev.eventId}`, stepId: 'confirm' });
    res.status(202).json({ status: 'pending', contactId: ev.contactId, confirmation: out.outcome, duplicate: ev.duplicate });
  });

  return r;
}
