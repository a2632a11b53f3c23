// A template draft's live preview for the workspace editor: validated and
// rendered for a contact (or the sample one), stored nowhere.
import type { Contact } from '@prisma/client';
import type { Db } from '../../lib/db';
import { NotFoundError } from '../../lib/errors';
import { buildRenderContext, confirmUrl, consentLinks, purchasedSkus, SAMPLE_CONTACT } from '../context';
import { renderDraft, TemplateError } from '../render';
import { validateTemplate, type TemplateDraft } from '../validate';

export interface DraftPreviewDeps {
  db: Db;
  publicUrl: string;
  linkSecret: string;
}

export type DraftPreview =
  | { ok: false; issues: { path: string; line?: number; message: string }[] }
  | ({ ok: true; issues: [] } & Awaited<ReturnType<typeof renderDraft>>);

export async function previewTemplateDraft(
  deps: DraftPreviewDeps,
  key: string,
  draft: Omit<TemplateDraft, 'key'>,
  contactId?: string,
): Promise<DraftPreview> {
  const v = await validateTemplate({ key, ...draft });
  if (!v.ok) return { ok: false, issues: v.issues };
  let contact: Contact | null = null;
  if (contactId) {
    contact = await deps.db.contact.findFirst({ where: { id: contactId, deletedAt: null } });
    if (!contact)
      throw new NotFoundError('contact_not_found', 'no contact with that id', [{ path: 'contactId', message: 'no contact with that id' }]);
  }
  const id = contact?.id ?? '00000000-0000-4000-8000-000000000000';
  const ctx = buildRenderContext({
    contact: contact ?? SAMPLE_CONTACT,
    purchasedSkus: contact ? await purchasedSkus(deps.db, contact.id) : [],
    links: consentLinks(deps, id, draft.category),
    category: draft.category,
    confirmUrl: confirmUrl(deps, id),
  });
  try {
    const out = await renderDraft({ key, version: 0, subject: draft.subject, preheader: draft.preheader ?? null, mjml: v.assembled }, ctx);
    return { ok: true, issues: [], ...out };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { ok: false, issues: err.details.map((d) => ({ path: 'mjml', line: d.line, message: d.message })) };
  }
}
