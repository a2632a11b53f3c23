// Templates as the API shows them, and loading one (a given version, or the latest).
import type { Db } from '../../lib/db';
import { NotFoundError } from '../../lib/errors';
import { latestTemplate, type StoredTemplate } from '../template-store';

export async function loadTemplate(db: Db, key: string, version?: number): Promise<StoredTemplate> {
  const t = await latestTemplate(db, key, version);
  if (!t) throw new NotFoundError('template_not_found', version ? `template "${key}" has no version ${version}` : `no template "${key}"`);
  return t;
}

export function view(t: StoredTemplate) {
  return {
    key: t.key,
    name: t.name,
    category: t.category,
    version: t.version,
    subject: t.subject,
    preheader: t.preheader ?? null,
    mjml: t.mjml,
    from: t.from,
    replyTo: t.replyTo,
    createdAt: t.createdAt,
  };
}
