// Creates or updates a template: validated (MJML, Handlebars, links), and a new
// immutable version only when the content changed.
import type { Db } from '../../lib/db';
import { InvalidInputError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { TemplateBody } from '../template-schema';
import { publishTemplate } from '../template-store';
import { validateTemplate, type TemplateIssue } from '../validate';
import { loadTemplate, view } from './template-view';

/** One detail per problem: { path, line, message }; the count and the first in the message. */
export function invalidTemplate(issues: TemplateIssue[]): InvalidInputError {
  const first = issues[0];
  const where = (i: TemplateIssue) => `${i.path}${i.line !== undefined ? ` line ${i.line}` : ''}`;
  return new InvalidInputError(
    'invalid_template',
    first ? `${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${where(first)}: ${first.message}` : 'invalid template',
    issues.map((i) => ({ path: i.path, line: i.line, message: i.line !== undefined ? `line ${i.line}: ${i.message}` : i.message })),
  );
}

export async function saveTemplate(deps: { db: Db; log: Logger }, key: string, body: TemplateBody) {
  const v = await validateTemplate({ key, ...body });
  if (!v.ok) throw invalidTemplate(v.issues);
  const out = await publishTemplate(deps.db, {
    key,
    name: body.name,
    category: body.category,
    subject: body.subject,
    preheader: body.preheader ?? null,
    mjml: v.assembled,
    from: body.from ?? null,
    replyTo: body.replyTo ?? null,
  });
  deps.log.info({ template: key, version: out.version, created: out.created }, 'template saved');
  return { template: view(await loadTemplate(deps.db, key, out.version)), created: out.created };
}
