// Templates in the database: immutable versions, a new one only when content changes.
import { createHash } from 'node:crypto';
import type { Db } from '../lib/db';
import type { TemplateSource } from './render';

export interface TemplateInput {
  key: string;
  name: string;
  category: string;
  subject: string;
  preheader?: string | null;
  mjml: string;
}

export interface StoredTemplate extends TemplateSource {
  category: string;
}

function checksum(t: TemplateInput): string {
  return createHash('sha256')
    .update(JSON.stringify([t.subject, t.preheader ?? null, t.mjml]))
    .digest('hex');
}

/** Publishes a template; returns the version (an existing one if content is unchanged). */
export async function publishTemplate(db: Db, t: TemplateInput): Promise<{ version: number; created: boolean }> {
  const sum = checksum(t);
  return db.$transaction(async (tx) => {
    const tpl = await tx.template.upsert({
      where: { key: t.key },
      create: { key: t.key, name: t.name, category: t.category },
      update: { name: t.name, category: t.category },
    });
    // Serialise concurrent publishers of the same template.
    await tx.$executeRaw`SELECT id FROM templates WHERE id = ${tpl.id}::uuid FOR UPDATE`;
    const same = await tx.templateVersion.findUnique({
      where: { templateId_checksum: { templateId: tpl.id, checksum: sum } },
    });
    const latest = await tx.templateVersion.findFirst({
      where: { templateId: tpl.id },
      orderBy: { version: 'desc' },
    });
    if (same && latest && same.id === latest.id) return { version: same.version, created: false };
    const version = (latest?.version ?? 0) + 1;
    await tx.templateVersion.create({
      data: {
        templateId: tpl.id,
        version,
        subject: t.subject,
        preheader: t.preheader ?? null,
        mjml: t.mjml,
        // A revert to older content is a new version with that content.
        checksum: same ? `${sum}:${version}` : sum,
      },
    });
    return { version, created: true };
  });
}

export async function latestTemplate(db: Db, key: string): Promise<StoredTemplate | null> {
  const v = await db.templateVersion.findFirst({
    where: { template: { key } },
    orderBy: { version: 'desc' },
    include: { template: true },
  });
  if (!v) return null;
  return { key, version: v.version, subject: v.subject, preheader: v.preheader, mjml: v.mjml, category: v.template.category };
}
