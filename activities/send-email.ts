// The send-email activity. Exactly one email per journey step: the send is
// recorded under a key derived from workflow and step *before* the SMTP
// conversation, and a retry that finds it already sent (or possibly sent)
// never sends again.
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Contact, MessageSend } from '@prisma/client';
import { renderEmail } from '../email/render';
import { latestTemplate } from '../email/template-store';
import { signToken } from '../lib/tokens';
import type { ActivityDeps } from './deps';

export interface SendEmailInput {
  contactId: string;
  templateKey: string;
  workflowId: string;
  stepId: string;
  journeyKey?: string;
  subject?: string;
}

export type SendOutcome = 'sent' | 'suppressed' | 'failed' | 'indeterminate' | 'skipped';

export interface SendEmailResult {
  outcome: SendOutcome;
  sendId?: string;
  reason?: string;
}

export function sendKey(workflowId: string, stepId: string): string {
  return createHash('sha256').update(`${workflowId}\u0000${stepId}`).digest('hex');
}

function mailDomain(from: string): string {
  const m = /@([^>\s]+)/.exec(from);
  return m?.[1] ?? 'rapport.localhost';
}

/** SMTP failures that happened before the message could have been accepted. */
function safeToRetry(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string; command?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 400 && e.responseCode < 500;
  const connectPhase = !e.command || ['CONN', 'EHLO', 'HELO', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', 'MAIL FROM', 'RCPT TO'].includes(e.command);
  return connectPhase && ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ETLS', 'EAUTH'].includes(e.code ?? '');
}

function isSuppressed(contact: Contact, category: string): boolean {
  if (category === 'transactional') return false;
  const subs = contact.subscriptions as Record<string, unknown> | null;
  return subs?.[category] === 'unsubscribed' || subs?.['*'] === 'unsubscribed';
}

export function createSendEmail(deps: ActivityDeps) {
  const { db, log } = deps;

  async function finish(send: MessageSend, data: Partial<MessageSend>): Promise<void> {
    await db.messageSend.update({ where: { id: send.id }, data });
  }

  return async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    const contact = await db.contact.findUnique({ where: { id: input.contactId } });
    if (!contact || contact.deletedAt) return { outcome: 'skipped', reason: 'contact deleted' };
    const template = await latestTemplate(db, input.templateKey);
    if (!template) {
      throw ApplicationFailure.nonRetryable(`unknown template "${input.templateKey}"`, 'UnknownTemplate');
    }
    const key = sendKey(input.workflowId, input.stepId);
    await db.messageSend.createMany({
      data: [{
        idempotencyKey: key,
        contactId: contact.id,
        templateKey: template.key,
        templateVersion: template.version,
        category: template.category,
        journeyKey: input.journeyKey,
        workflowId: input.workflowId,
        stepId: input.stepId,
        toAddress: contact.email,
        messageId: `<${key.slice(0, 40)}@${mailDomain(deps.mailFrom)}>`,
      }],
      skipDuplicates: true,
    });
    const send = await db.messageSend.findUniqueOrThrow({ where: { idempotencyKey: key } });
    if (send.status === 'sent' || send.status === 'failed' || send.status === 'suppressed' || send.status === 'indeterminate') {
      return { outcome: send.status, sendId: send.id, reason: 'already recorded' };
    }
    if (isSuppressed(contact, send.category)) {
      await finish(send, { status: 'suppressed', error: `unsubscribed from ${send.category}` });
      return { outcome: 'suppressed', sendId: send.id, reason: `unsubscribed from ${send.category}` };
    }
    // Claim the send. If a previous attempt claimed it and died during SMTP we
    // cannot know whether the server accepted the message: do not risk a duplicate.
    const claimed = await db.messageSend.updateMany({
      where: { id: send.id, status: { in: ['pending', 'deferred'] } },
      data: { status: 'sending', attempts: { increment: 1 } },
    });
    if (claimed.count === 0) {
      await db.messageSend.updateMany({
        where: { id: send.id, status: 'sending' },
        data: { status: 'indeterminate', error: 'an earlier attempt was interrupted during SMTP; not resent' },
      });
      log.warn({ sendId: send.id }, 'send interrupted earlier; not resending');
      return { outcome: 'indeterminate', sendId: send.id, reason: 'interrupted earlier; not resent' };
    }

    const unsubscribeUrl = `${deps.publicUrl}/u/${signToken(deps.linkSecret, { p: 'unsubscribe', c: contact.id, cat: send.category })}`;
    const rendered = await renderEmail(
      { ...template, subject: input.subject ?? template.subject },
      {
        contact: {
          firstName: contact.firstName,
          lastName: contact.lastName,
          company: contact.company,
          email: contact.email,
          tier: contact.tier,
          currency: contact.currency,
          locale: contact.locale,
          timeZone: contact.timeZone,
          attributes: contact.attributes,
        },
        unsubscribeUrl,
      },
    );
    try {
      const info = await deps.mailer.sendMail({
        from: deps.mailFrom,
        to: contact.email,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: send.messageId,
        headers: send.category === 'transactional' ? {} : {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      await db.messageSend.updateMany({
        where: { id: send.id, status: { in: ['sending', 'indeterminate'] } },
        data: { status: 'sent', subject: rendered.subject, providerMessageId: String(info.response ?? ''), sentAt: new Date(), error: null },
      });
      log.info({ sendId: send.id, template: template.key }, 'email sent');
      return { outcome: 'sent', sendId: send.id };
    } catch (err) {
      const e = err as { message?: string; responseCode?: number };
      if (safeToRetry(err)) {
        await finish(send, { status: 'pending', error: e.message ?? 'SMTP error' });
        throw err; // Temporal retries with backoff
      }
      if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
        await finish(send, { status: 'failed', error: e.message ?? `SMTP ${e.responseCode}` });
        return { outcome: 'failed', sendId: send.id, reason: e.message };
      }
      await finish(send, { status: 'indeterminate', error: e.message ?? 'SMTP error after the message was sent' });
      return { outcome: 'indeterminate', sendId: send.id, reason: e.message };
    }
  };
}
