// Renders a stored template version for a contact (with real links) or the
// sample contact, as a preview or a test send shows it.
import type { Contact } from '@prisma/client';
import type { Db } from '../../lib/db';
import { DomainError, NotFoundError } from '../../lib/errors';
import { buildRenderContext, confirmUrl, consentLinks, purchasedSkus, SAMPLE_CONTACT } from '../context';
import { renderEmail, type RenderedEmail } from '../render';
import type { StoredTemplate } from '../template-store';

export interface RenderDeps {
  db: Db;
  publicUrl: string;
  linkSecret: string;
}

/** The contact a preview is for; none: the sample contact. */
export async function contactForPreview(db: Db, id: string | undefined): Promise<Contact | null> {
  if (!id) return null;
  const c = await db.contact.findUnique({ where: { id } });
  if (!c || c.deletedAt)
    throw new NotFoundError('contact_not_found', 'no contact with that id', [{ path: 'contactId', message: 'no contact with that id' }]);
  return c;
}

/** `sampleLinks`: consent links point at the sample contact, not the real one. */
export async function renderTemplate(
  deps: RenderDeps,
  t: StoredTemplate,
  contact: Contact | null,
  data: Record<string, unknown> | undefined,
  sampleLinks: boolean,
): Promise<RenderedEmail> {
  const id = contact && !sampleLinks ? contact.id : '00000000-0000-4000-8000-000000000000';
  const ctx = buildRenderContext({
    contact: contact ?? SAMPLE_CONTACT,
    purchasedSkus: contact ? await purchasedSkus(deps.db, contact.id) : [],
    links: consentLinks(deps, id, t.category),
    category: t.category,
    confirmUrl: confirmUrl(deps, id),
    data,
  });
  try {
    return await renderEmail(t, ctx);
  } catch (err) {
    const e = err as Error & { details?: { line?: number; message: string }[] };
    // Any render failure (MJML errors, a Handlebars helper throwing) is the template's.
    throw new DomainError(
      'unprocessable',
      'render_failed',
      e.message,
      (e.details ?? []).map((d) => ({ path: 'mjml', line: d.line, message: d.message })),
    );
  }
}
