// Sends a template version to a marketer's address, marked as a test.
import { UnavailableError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { TemplateTestSendRequest } from '../template-schema';
import type { Mailer } from '../transport';
import { contactForPreview, renderTemplate, type RenderDeps } from './render-template';
import { loadTemplate } from './template-view';

export async function testSendTemplate(
  deps: RenderDeps & { mailer?: Mailer; mailFrom?: string; log: Logger },
  key: string,
  body: TemplateTestSendRequest,
) {
  const { mailer } = deps;
  if (!mailer) throw new UnavailableError('no_mailer', 'this server has no SMTP configured (SMTP_URL)');
  const t = await loadTemplate(deps.db, key, body.version);
  const contact = await contactForPreview(deps.db, body.contactId);
  // Consent links in a test send point at the sample contact: a marketer who
  // clicks "unsubscribe" in a test must not unsubscribe the real contact.
  const out = await renderTemplate(deps, t, contact, body.data, true);
  const info = await mailer.sendMail({
    from: t.from ?? deps.mailFrom,
    to: body.to,
    replyTo: t.replyTo ?? undefined,
    subject: `[Test] ${out.subject}`,
    html: out.html,
    text: out.text,
    headers: { 'X-Rapport-Test': `${t.key} v${t.version}` },
  });
  deps.log.info({ template: t.key, version: t.version }, 'test email sent');
  return { sent: true, key: t.key, version: t.version, subject: `[Test] ${out.subject}`, messageId: info.messageId };
}
