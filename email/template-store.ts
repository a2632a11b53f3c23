// Templates in the database: immutable versions, a new one only when content changes.
import { createHash } from 'node:crypto';
import { BoundedCache } from '../lib/bounded-cache';
import type { Db } from '../lib/db';
import type { TemplateSource } from './render';

export interface TemplateInput {
  key: string;
  name: string;
  category: string;
  subject: string;
  preheader?: string | null;
  /** The whole MJML document (layout and partials already assembled). */
  mjml: string;
  /** From header for this template; null: the process's MAIL_FROM. */
  from?: string | null;
  replyTo?: string | null;
}

export interface StoredTemplate extends TemplateSource {
  name: string;
  category: string;
  from: string | null;
  replyTo: string | null;
  createdAt: Date;
}

function checksum(t: TemplateInput): string {
  // Sender fields join the checksum only when set, so versions published
  // before they existed keep their checksum.
  const parts: unknown[] = [t.subject, t.preheader ?? null, t.mjml];
  if (t.from || t.replyTo) parts.push(t.from ?? null, t.replyTo ?? null);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
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
        fromAddress: t.from ?? null,
        replyTo: t.replyTo ?? null,
        // A revert to older content is a new version with that content.
        checksum: same ? `${sum}:${version}` : sum,
      },
    });
    return { version, created: true };
  });
}

/** The latest version of a template, or a given one. */
export async function latestTemplate(db: Db, key: string, version?: number): Promise<StoredTemplate | null> {
  const v = await db.templateVersion.findFirst({
    where: { template: { key }, ...(version === undefined ? {} : { version }) },
    orderBy: { version: 'desc' },
    include: { template: true },
  });
  if (!v) return null;
  return {
    key,
    version: v.version,
    name: v.template.name,
    subject: v.subject,
    preheader: v.preheader,
    mjml: v.mjml,
    category: v.template.category,
    from: v.fromAddress,
    replyTo: v.replyTo,
    createdAt: v.createdAt,
  };
}

/** Template versions are immutable; bounded, since each holds its MJML. */
const versions = new BoundedCache<string, StoredTemplate>(500);

/** A given version: immutable once published, so cached for the life of the process. */
export async function templateVersion(db: Db, key: string, version: number): Promise<StoredTemplate | null> {
  const k = `${key}@${version}`;
  const hit = versions.get(k);
  if (hit) return hit;
  const t = await latestTemplate(db, key, version);
  if (t) versions.set(k, t);
  return t;
}

export interface TemplateSummary {
  key: string;
  name: string;
  category: string;
  latestVersion: number | null;
  updatedAt: Date | null;
}

export async function listTemplates(db: Db): Promise<TemplateSummary[]> {
  const rows = await db.template.findMany({
    orderBy: { key: 'asc' },
    include: { versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, createdAt: true } } },
  });
  return rows.map((t) => ({
    key: t.key,
    name: t.name,
    category: t.category,
    latestVersion: t.versions[0]?.version ?? null,
    updatedAt: t.versions[0]?.createdAt ?? null,
  }));
}
