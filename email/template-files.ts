// Reads the shipped templates: templates/<key>.mjml, each starting with a YAML
// front matter block that names the subject, preheader and category, and
// optionally a layout, a From and a Reply-To. The MJML after the front matter
// is assembled with its layout and partials (see ./assemble.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { assembleTemplate, type Origin } from './assemble';

export const TEMPLATES_DIR = resolve(import.meta.dirname, '..', 'templates');

export const templateMetaSchema = z.object({
  name: z.string().min(1),
  subject: z.string().min(1),
  preheader: z.string().optional(),
  category: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/)
    .default('journeys'),
  /** templates/layouts/<layout>.mjml wraps the content */
  layout: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/i)
    .optional(),
  /** From header, e.g. "Rapport News <news@example.com>"; default MAIL_FROM */
  from: z.string().min(3).optional(),
  /** Reply-To header */
  replyTo: z.string().min(3).optional(),
});

export interface TemplateFile {
  key: string;
  file: string;
  meta: z.infer<typeof templateMetaSchema>;
  /** The MJML as written, after the front matter. */
  source: string;
  /** Line of `source`'s first line in the file. */
  sourceLine: number;
  /** The whole MJML document: layout and partials assembled. */
  mjml: string;
  /** Where each line of `mjml` came from. */
  origins: Origin[];
}

export class TemplateFileError extends Error {
  override name = 'TemplateFileError';
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/;

export function parseTemplateFile(file: string, content: string): TemplateFile {
  const m = FRONT_MATTER.exec(content);
  if (!m) throw new TemplateFileError(`${file}:1: missing front matter (--- subject: ... ---)`);
  let raw: unknown;
  try {
    raw = parseYaml(m[1] ?? '');
  } catch (err) {
    throw new TemplateFileError(`${file}: front matter is not valid YAML: ${(err as Error).message}`);
  }
  const meta = templateMetaSchema.safeParse(raw);
  if (!meta.success) {
    const i = meta.error.issues[0];
    throw new TemplateFileError(`${file}: front matter field "${i?.path.join('.')}": ${i?.message}`);
  }
  const source = content.slice(m[0].length);
  const sourceLine = m[0].split('\n').length;
  const rel = `templates/${basename(file)}`;
  const a = assembleTemplate(
    { text: source.replace(/\r\n/g, '\n').replace(/\n$/, ''), file: rel, firstLine: sourceLine },
    meta.data.layout,
  );
  if (a.issues.length > 0) {
    const i = a.issues[0]!;
    throw new TemplateFileError(`${i.file}:${i.line}: ${i.message}`);
  }
  return { key: basename(file, '.mjml'), file, meta: meta.data, source, sourceLine, mjml: a.mjml, origins: a.origins };
}

export function readTemplateFiles(dir = TEMPLATES_DIR): TemplateFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mjml'))
    .sort()
    .map((f) => parseTemplateFile(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}
