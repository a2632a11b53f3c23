// Internal notices (sales tasks, approvals) to people who are not contacts.
// Transactional: no unsubscribe, no frequency cap. At most once per record
// (see sendNoticeOnce).
import { renderEmail } from '../email/render';
import { latestTemplate } from '../email/template-store';
import { senderDomain } from '../lib/mail-domain';
import type { ActivityDeps } from './deps';

export async function sendNotice(
  deps: ActivityDeps,
  input: { templateKey: string; to: string; noticeId: string; data: Record<string, unknown> },
): Promise<void> {
  const template = await latestTemplate(deps.db, input.templateKey);
  if (!template) throw new Error(`notice template "${input.templateKey}" is missing; run migrate to publish shipped templates`);
  const r = await renderEmail(template, input.data);
  await deps.mailer.sendMail({
    from: deps.mailFrom,
    to: input.to,
    subject: r.subject,
    html: r.html,
    text: r.text,
    messageId: `<notice-${input.noticeId}@${senderDomain(deps.mailFrom)}>`,
  });
}

/**
 * Claims the record, sends, and gives the claim back if sending failed (so a
 * retry sends). A crash between claim and send loses the notice rather than
 * doubling it. Returns whether this call sent it.
 */
export async function sendNoticeOnce(
  claim: () => Promise<boolean>,
  release: () => Promise<unknown>,
  send: () => Promise<void>,
): Promise<boolean> {
  if (!(await claim())) return false;
  try {
    await send();
  } catch (err) {
    await release();
    throw err;
  }
  return true;
}
