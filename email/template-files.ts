// Reads the shipped templates: templates/<key>.mjml, each starting with a YAML
// front matter block that names the subject, preheader and category.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const TEMPLATES_DIR = resolve(import.meta.dirname, '..', 'templates');

export const templateMetaSchema = z.object({
  name: z.string().min(1),
  subject: z.string().min(1),
  preheader: z.string().optional(),
  category: z.string().regex(/^[a-z][a-z0-9_-]*$/).default('journeys'),
});

export interface TemplateFile {
  key: string;
  file: string;
  meta: z.infer<typeof templateMetaSchema>;
  mjml: string;
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
  return { key: basename(file, '.mjml'), file, meta: meta.data, mjml: content.slice(m[0].length) };
}

export function readTemplateFiles(dir = TEMPLATES_DIR): TemplateFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mjml'))
    .sort()
    .map((f) => parseTemplateFile(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}
