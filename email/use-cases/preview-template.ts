// A template version rendered for a contact or the sample contact.
import type { TemplateRenderRequest } from '../template-schema';
import { contactForPreview, renderTemplate, type RenderDeps } from './render-template';
import { loadTemplate } from './template-view';

export async function previewTemplate(deps: RenderDeps & { mailFrom?: string }, key: string, body: TemplateRenderRequest) {
  const t = await loadTemplate(deps.db, key, body.version);
  const contact = await contactForPreview(deps.db, body.contactId);
  const out = await renderTemplate(deps, t, contact, body.data, false);
  return { key: t.key, version: t.version, category: t.category, from: t.from ?? deps.mailFrom ?? null, replyTo: t.replyTo, ...out };
}
