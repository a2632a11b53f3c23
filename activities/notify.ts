// Internal notices (sales tasks, approvals) to people who are not contacts.
// Transactional: no unsubscribe, no frequency cap. Sent at most once per
// record: the caller claims the record before calling.
import { renderEmail } from '../email/render';
import { latestTemplate } from '../email/template-store';
import type { ActivityDeps } from './deps';

function domainOf(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'rapport.localhost';
}

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
    messageId: `<notice-${input.noticeId}@${domainOf(deps.mailFrom)}>`,
  });
}
