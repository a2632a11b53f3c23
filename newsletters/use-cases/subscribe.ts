// A newsletter sign-up with double opt-in: the contact is stored with
// newsletter "pending" (event newsletter_subscribe_requested) and gets a
// confirmation email (transactional) whose signed link (/confirm/:token) makes
// it "subscribed". No newsletter is sent before that. Idempotent by `id`: a
// repeat sends no second email.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { contactProfileSchema, emailSchema } from '../../contacts/schema';
import { subscriptionsOf } from '../../email/suppression';
import { ingestEvent } from '../../events/ingest';
import type { Db } from '../../lib/db';
import { UnavailableError } from '../../lib/errors';
import { safeString } from '../../lib/zod-strings';

export const CONFIRM_TEMPLATE = 'newsletter-confirm';

/** The body of POST /v1/newsletter/subscriptions. */
export const newsletterSubscriptionSchema = contactProfileSchema.extend({
  email: emailSchema,
  /** Idempotency id for this sign-up (e.g. the form submission id). */
  id: safeString().trim().min(1).max(200).optional(),
  /** Where the sign-up came from, kept on the event. */
  source: safeString().max(200).optional(),
});
export type NewsletterSubscription = z.infer<typeof newsletterSubscriptionSchema>;

/** Sends one transactional email of a template, keyed so that a repeat finds it recorded (the send-email activity). */
export type SendTemplate = (input: {
  contactId: string;
  templateKey: string;
  workflowId: string;
  stepId: string;
}) => Promise<{ outcome: string }>;

export interface SubscribeDeps {
  db: Db;
  /** Absent when the server has no SMTP: sign-ups are refused (nothing stored). */
  send?: SendTemplate;
  onEventsStored?: () => void;
}

/** SHA-256 (hex) of a normalised address: stands in for it in idempotency keys. */
export function emailDigest(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

export type SubscribeResult =
  { status: 'subscribed'; contactId: string } | { status: 'pending'; contactId: string; confirmation: string; duplicate: boolean };

export async function subscribeToNewsletter(
  deps: SubscribeDeps,
  body: NewsletterSubscription,
  today = new Date(),
): Promise<SubscribeResult> {
  const { id, source, ...contact } = body;
  if (!deps.send) throw new UnavailableError('no_mailer', 'this server has no SMTP configured (SMTP_URL)');
  const before = await deps.db.contact.findUnique({ where: { email: contact.email } });
  if (before && subscriptionsOf(before).newsletter === 'subscribed') return { status: 'subscribed', contactId: before.id };
  // Without an id, one sign-up per address per day. The key outlives an erasure
  // of the contact, so it holds a hash of the address, never the address.
  const requestId = id ?? `${emailDigest(contact.email)}:${today.toISOString().slice(0, 10)}`;
  // A ContactConflictError (409) says which field names another contact.
  const ev = await ingestEvent(deps.db, 'api', {
    id: `newsletter-signup:${requestId}`,
    type: 'newsletter_subscribe_requested',
    contact,
    properties: { source: source ?? null },
  });
  deps.onEventsStored?.();
  // Keyed by the sign-up event: a repeated request finds the send recorded.
  const out = await deps.send({
    contactId: ev.contactId,
    templateKey: CONFIRM_TEMPLATE,
    workflowId: `optin/${ev.eventId}`,
    stepId: 'confirm',
  });
  return { status: 'pending', contactId: ev.contactId, confirmation: out.outcome, duplicate: ev.duplicate };
}
