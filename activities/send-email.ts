// The send-email activity. Exactly one email per journey step: the send is
// recorded under a key derived from workflow and step *before* the SMTP
// conversation, and a retry that finds it already sent (or possibly sent)
// never sends again. The Message-ID derives from the same key, so a duplicate
// would be detectable downstream.
//
// Before sending: consent (subscriptions and the suppression list) and, for
// marketing email, the sending policy (frequency cap, quiet hours), which may
// defer the send: the workflow step then sleeps until the time returned and
// calls again with the same key.
//
// Everything that can fail short of SMTP (database reads, rendering) runs
// before the send is claimed, so a failure there leaves it pending for the
// retry. SMTP answers often quote the recipient: reasons returned to the
// workflow, failures thrown to Temporal and log lines carry them redacted
// (lib/redact.ts); only the send row keeps the full text.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { senderDomain } from '../lib/mail-domain';
import type { MessageSend } from '@prisma/client';
import { buildRenderContext, confirmUrl, consentLinks, renderFactsOf } from '../email/context';
import { NO_POLICY, deferralFor, type Deferral } from '../email/policy';
import { renderEmail } from '../email/render';
import { consentBlock, suppress } from '../email/suppression';
import { templateVersion, type StoredTemplate } from '../email/template-store';
import { buildMime } from '../email/mime';
import { addTracking } from '../email/tracking';
import { sqlOf } from '../lib/db';
import { emailSends } from '../lib/metrics';
import { redactEmails } from '../lib/redact';
import { countNewsletterSent, NEWSLETTER_CATEGORY } from '../newsletters/counter';
import type { ActivityDeps } from './deps';
import { claimSend, markSent, readSendContext, recordSend, type RecordedSend } from './send-statements';

/** What the claim decides for a send (activities/send-statements.ts writes its status). */
type Decision = { status: 'suppressed'; error: string } | { status: 'deferred'; error: string; deferral: Deferral } | { status: 'sending' };

export interface SendEmailInput {
  contactId: string;
  templateKey: string;
  workflowId: string;
  stepId: string;
  journeyKey?: string;
  subject?: string;
  /**
   * Which visit of the step this is: the run's first execution id and its step
   * counter. Part of the key, so a re-entered journey or a loop sends again,
   * while a retry of the same visit never does.
   */
  visit?: string;
  /** Per-send template data, as {{data.<name>}} (e.g. a coupon code). JSON only. */
  data?: Record<string, unknown>;
  /**
   * The workflow's clock when the step ran (ISO). Policy decisions use the later
   * of this and the activity's clock, so time-skipping tests and production agree.
   */
  now?: string;
  /** Set by newsletter broadcasts: recorded on the `newsletter_sent` event. */
  broadcast?: { id: string; variant: string };
  /**
   * The subscription category of this send (a journey's `category`): consent,
   * the unsubscribe link, the frequency cap and the send row use it instead of
   * the template's. Ignored for transactional templates, and it never makes a
   * marketing template transactional. Fixed when the send is first recorded.
   */
  category?: string;
}

/**
 * The subscription category a send is recorded under: the caller's category
 * for marketing templates, the template's otherwise. "transactional" (exempt
 * from consent, cap and quiet hours) only ever comes from the template.
 */
export function sendCategory(templateCategory: string, requested?: string): string {
  if (templateCategory === 'transactional' || !requested || requested === 'transactional') return templateCategory;
  return requested;
}

export type SendOutcome = 'sent' | 'suppressed' | 'failed' | 'indeterminate' | 'skipped' | 'deferred';

export interface SendEmailResult {
  outcome: SendOutcome;
  sendId?: string;
  reason?: string;
  /** For "deferred": when to try again (ISO). */
  until?: string;
}

export function sendKey(workflowId: string, stepId: string, visit?: string): string {
  const parts = visit === undefined ? [workflowId, stepId] : [workflowId, stepId, visit];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The Message-ID of a send: a pure function of workflow and step. */
export function messageIdFor(workflowId: string, stepId: string, mailFrom: string, visit?: string): string {
  return `<${sendKey(workflowId, stepId, visit).slice(0, 40)}@${senderDomain(mailFrom)}>`;
}

export interface SmtpError {
  message?: string;
  responseCode?: number;
  code?: string;
  command?: string;
  rejected?: unknown[];
  response?: string;
}

/** SMTP failures that happened before the message could have been accepted. */
export function safeToRetry(err: unknown): boolean {
  const e = err as SmtpError;
  if (typeof e.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  const connectPhase =
    !e.command || ['CONN', 'EHLO', 'HELO', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', 'MAIL FROM', 'RCPT TO'].includes(e.command);
  return connectPhase && ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ETLS', 'EAUTH'].includes(e.code ?? '');
}

/** A permanent rejection of the recipient: the address does not exist. */
export function isHardBounce(err: unknown): boolean {
  const e = err as SmtpError;
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && (e.command === 'RCPT TO' || e.code === 'EENVELOPE');
}

/** RFC 2369 + RFC 8058 headers of a marketing email: https for one-click POST, mailto as the fallback. */
export function unsubscribeHeaders(
  deps: Pick<ActivityDeps, 'mailFrom' | 'unsubscribeMailto'>,
  links: { unsubscribeUrl: string },
  category: string,
): Record<string, string> {
  if (category === 'transactional') return {};
  const mailto = deps.unsubscribeMailto ?? `unsubscribe@${senderDomain(deps.mailFrom)}`;
  return {
    'List-Unsubscribe': `<${links.unsubscribeUrl}>, <mailto:${mailto}?subject=${encodeURIComponent(`unsubscribe ${links.unsubscribeUrl.split('/u/')[1] ?? ''}`)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

export function createSendEmail(deps: ActivityDeps) {
  const { db, log } = deps;
  const policy = deps.policy ?? NO_POLICY;

  const sql = sqlOf(db);

  async function finish(send: RecordedSend, data: Partial<MessageSend>): Promise<void> {
    await db.messageSend.update({ where: { id: send.id }, data });
  }

  // Counted once per decision: a retried attempt that finds its send already recorded is not counted again.
  return async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    try {
      const result = await attempt(input);
      if (result.reason !== 'already recorded') emailSends.inc({ kind: 'journey', outcome: result.outcome });
      return result;
    } catch (err) {
      emailSends.inc({ kind: 'journey', outcome: 'retry' });
      throw err;
    }
  };

  async function attempt(input: SendEmailInput): Promise<SendEmailResult> {
    const now = new Date(Math.max(Date.now(), input.now ? Date.parse(input.now) || 0 : 0));
    const key = sendKey(input.workflowId, input.stepId, input.visit);
    const { contact, send: recorded, latest: newest } = await readSendContext(sql, input.contactId, key, input.templateKey);
    if (!contact || contact.deleted) return { outcome: 'skipped', reason: 'contact deleted' };
    let send = recorded;
    let template: StoredTemplate | null = null;
    if (!send) {
      // Versions are immutable (cached); name and category are the template's as of now.
      const version = newest && (await templateVersion(db, input.templateKey, newest.version));
      if (!newest || !version) {
        throw ApplicationFailure.nonRetryable(`unknown template "${input.templateKey}"`, 'UnknownTemplate');
      }
      const latest: StoredTemplate = { ...version, name: newest.name, category: newest.category };
      const made = await recordSend(sql, {
        key,
        contactId: contact.id,
        templateKey: latest.key,
        templateVersion: latest.version,
        category: sendCategory(latest.category, input.category),
        journeyKey: input.journeyKey ?? null,
        workflowId: input.workflowId,
        stepId: input.stepId,
        toAddress: contact.email,
        messageId: messageIdFor(input.workflowId, input.stepId, deps.mailFrom, input.visit),
      });
      send = made.send;
      // Created just now: the version it records is the one in hand. Lost a race: the winner's is read below.
      if (made.created) template = latest;
    }
    if (send.status === 'sent' || send.status === 'failed' || send.status === 'suppressed' || send.status === 'indeterminate') {
      return { outcome: send.status, sendId: send.id, reason: 'already recorded' };
    }
    // The version recorded with the send: a deferred send renders what it would have.
    template ??= await templateVersion(db, send.templateKey, send.templateVersion);
    if (!template)
      throw ApplicationFailure.nonRetryable(`template "${send.templateKey}" v${send.templateVersion} is gone`, 'UnknownTemplate');
    const sendId = send.id;
    const category = send.category;

    // Everything that can fail short of SMTP (reads, rendering) happens before
    // the send is claimed: an error here leaves the row pending (or deferred) and
    // Temporal's retry sends it. Between the claim and SMTP there is nothing that
    // can fail, so a row found `sending` really means SMTP may have started.
    const links = consentLinks(deps, contact.id, category);
    // Purchases and interests in one query.
    const facts = (await renderFactsOf(db, [contact.id], deps.catalog, now)).get(contact.id);
    const rendered = await renderEmail(
      { ...template, subject: input.subject ?? template.subject },
      buildRenderContext({
        contact,
        purchasedSkus: facts?.purchasedSkus,
        interests: facts?.interests,
        catalog: deps.catalog,
        links,
        category,
        confirmUrl: confirmUrl(deps, contact.id),
        data: input.data,
        now,
      }),
    );
    const html = addTracking(rendered.html, { publicUrl: deps.publicUrl, linkSecret: deps.linkSecret, contactId: contact.id, sendId });
    const from = template.from ?? deps.mailFrom;
    const headers = unsubscribeHeaders(deps, links, category);

    // Consent, policy and the claim in one transaction with the contact locked
    // (activities/send-statements.ts): an unsubscribe that committed before is
    // seen, and two journeys sending to the same contact at once are counted
    // against the cap one after the other.
    const marketing = category !== 'transactional';
    const claim = await claimSend(
      sql,
      { contactId: contact.id, sendId, category, withRecent: marketing && policy.frequencyCapPer7d > 0, now },
      (fresh): Decision => {
        const blocked = consentBlock(fresh, category, fresh.suppressions);
        if (blocked) return { status: 'suppressed', error: blocked };
        const deferral = marketing ? deferralFor(fresh.recent, { timeZone: fresh.timeZone, now, policy }) : null;
        if (deferral) {
          return { status: 'deferred', error: `deferred until ${deferral.until.toISOString()}: ${deferral.reason}`, deferral };
        }
        return { status: 'sending' };
      },
    );
    if (!claim) throw new Error(`contact ${contact.id} vanished while sending`);
    const { decision } = claim;
    if (decision.status === 'suppressed') return { outcome: 'suppressed', sendId, reason: redactEmails(decision.error) };
    if (decision.status === 'deferred') {
      const { until, reason } = decision.deferral;
      log.info({ sendId, until, reason }, 'send deferred');
      return { outcome: 'deferred', sendId, until: until.toISOString(), reason };
    }
    // Claimed by an earlier attempt that died during SMTP: we cannot know whether
    // the server accepted the message, so do not risk a duplicate.
    if (!claim.written) {
      await db.messageSend.updateMany({
        where: { id: sendId, status: 'sending' },
        data: { status: 'indeterminate', error: 'an earlier attempt was interrupted during SMTP; not resent' },
      });
      log.warn({ sendId }, 'send interrupted earlier; not resending');
      return { outcome: 'indeterminate', sendId, reason: 'interrupted earlier; not resent' };
    }
    const to = claim.contact.email;

    try {
      const fields = {
        from,
        to,
        replyTo: template.replyTo ?? undefined,
        subject: rendered.subject,
        html,
        text: rendered.text,
        messageId: send.messageId,
        headers,
      };
      // The message built as newsletters build it (email/mime.ts: 7bit where it fits); nodemailer's composer only for what it alone handles.
      const info = await deps.mailer.sendMail(buildMime(fields) ?? fields);
      // Marking it sent and counting a newsletter happen together, once per send
      // (one statement, without a transaction, for anything but a newsletter).
      const sent = { subject: rendered.subject, response: String(info.response ?? ''), at: now };
      const counted =
        category !== NEWSLETTER_CATEGORY
          ? (await markSent(sql, sendId, sent), false)
          : await db.$transaction(async (tx) => {
              const marked = await tx.messageSend.updateMany({
                where: { id: sendId, status: { in: ['sending', 'indeterminate'] } },
                data: { status: 'sent', subject: sent.subject, providerMessageId: sent.response, sentAt: now, error: null },
              });
              if (marked.count !== 1) return false;
              await countNewsletterSent(tx, {
                contactId: contact.id,
                sendId,
                templateKey: template.key,
                broadcastId: input.broadcast?.id ?? null,
                variant: input.broadcast?.variant ?? null,
                at: now,
              });
              return true;
            });
      if (counted) deps.onEventsStored?.();
      log.info({ sendId, template: template.key }, 'email sent');
      return { outcome: 'sent', sendId };
    } catch (err) {
      // SMTP answers often quote the recipient: the row keeps the full text, while
      // what goes to Temporal (results, failures) and to the log is redacted.
      const e = err as SmtpError;
      const why = e.response ?? e.message ?? 'SMTP error';
      const safeWhy = redactEmails(why);
      if (safeToRetry(err)) {
        await finish(send, { status: 'pending', error: `will retry: ${why}` });
        log.warn(
          { sendId, responseCode: e.responseCode, code: e.code, reason: safeWhy },
          'SMTP failed before the message was accepted; will retry',
        );
        // Temporal retries with backoff.
        throw ApplicationFailure.create({
          type: 'SmtpTransient',
          message: redactEmails(e.message ?? why),
          details: [{ responseCode: e.responseCode ?? null, code: e.code ?? null, command: e.command ?? null }],
        });
      }
      if (isHardBounce(err)) {
        await db.$transaction(async (tx) => {
          await suppress(tx, to, '*', 'hard_bounce', 'smtp');
          await tx.messageSend.update({ where: { id: sendId }, data: { status: 'failed', error: `hard bounce: ${why}` } });
        });
        log.warn({ sendId, responseCode: e.responseCode, reason: safeWhy }, 'hard bounce; address suppressed');
        return { outcome: 'failed', sendId, reason: `hard bounce: ${safeWhy}` };
      }
      if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
        await finish(send, { status: 'failed', error: `rejected: ${why}` });
        log.warn({ sendId, responseCode: e.responseCode, reason: safeWhy }, 'message rejected');
        return { outcome: 'failed', sendId, reason: `rejected: ${safeWhy}` };
      }
      await finish(send, { status: 'indeterminate', error: e.message ?? 'SMTP error after the message was sent' });
      const reason = redactEmails(e.message ?? 'SMTP error after the message was sent');
      log.warn({ sendId, code: e.code, reason }, 'SMTP failed after the message may have been accepted; not resent');
      return { outcome: 'indeterminate', sendId, reason };
    }
  }
}
