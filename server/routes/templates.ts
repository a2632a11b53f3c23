// /v1/templates: list, get, save (a new immutable version when the content
// changes, after validation), validate, preview and test send.
import { Router } from 'express';
import { z } from 'zod';
import { dbInt } from '../../lib/zod-numbers';
import { safeJson, safeString } from '../../lib/zod-strings';
import type { Contact } from '@prisma/client';
import { buildRenderContext, confirmUrl, consentLinks, purchasedSkus, SAMPLE_CONTACT } from '../../email/context';
import { renderEmail, type RenderedEmail } from '../../email/render';
import { latestTemplate, listTemplates, publishTemplate, type StoredTemplate } from '../../email/template-store';
import { validateTemplate, type TemplateIssue } from '../../email/validate';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

export const templateKeySchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'must be lower-case letters, digits, _ or - (max 100)');
// Letters of either case, spelled out: a regex flag (/i) would not reach the JSON Schema.
const nameRef = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'must be a layout name such as "default"');

export const templateBodySchema = z.strictObject({
  name: safeString().trim().min(1).max(200),
  category: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case, e.g. "newsletter", "journeys" or "transactional"').default('journeys'),
  subject: safeString().min(1).max(1000),
  preheader: safeString().max(1000).nullish(),
  mjml: safeString().min(1).max(1_000_000),
  layout: nameRef.nullish(),
  from: safeString().max(320).nullish(),
  replyTo: safeString().max(320).nullish(),
});
export type TemplateBody = z.infer<typeof templateBodySchema>;

export const templateRenderSchema = z.strictObject({
  /** Render for this contact; without it, for a sample contact. */
  contactId: z.uuid().optional(),
  /** Per-send data ({{data.x}}), as a journey step would pass it. */
  data: safeJson(z.record(z.string(), z.json())).optional(),
  version: dbInt().min(1).optional(),
});
export const templateTestSendSchema = templateRenderSchema.extend({ to: z.email() });
const versionQuery = z.object({ version: z.coerce.number().pipe(dbInt().min(1)).optional() });

/** 400 with one detail per problem: { path, line, message }. */
export function invalidTemplate(issues: TemplateIssue[]): HttpError {
  const first = issues[0];
  const where = (i: TemplateIssue) => `${i.path}${i.line !== undefined ? ` line ${i.line}` : ''}`;
  return new HttpError(
    400,
    'invalid_template',
    first ? `${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${where(first)}: ${first.message}` : 'invalid template',
    issues.map((i) => ({ path: i.path, line: i.line, message: i.line !== undefined ? `line ${i.line}: ${i.message}` : i.message })),
  );
}

function view(t: StoredTemplate) {
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

export function templatesRouter(deps: ServerDeps): Router {
  const r = Router();

  async function load(key: string, version?: number): Promise<StoredTemplate> {
    const k = parseOr400(templateKeySchema, key, 'key');
    const t = await latestTemplate(deps.db, k, version);
    if (!t) throw new HttpError(404, 'template_not_found', version ? `template "${k}" has no version ${version}` : `no template "${k}"`);
    return t;
  }

  async function contactFor(id: string | undefined): Promise<Contact | null> {
    if (!id) return null;
    const c = await deps.db.contact.findUnique({ where: { id } });
    if (!c || c.deletedAt) throw new HttpError(404, 'contact_not_found', 'no contact with that id', [{ path: 'contactId', message: 'no contact with that id' }]);
    return c;
  }

  /** Renders a stored version for a contact (real links) or the sample contact. */
  async function render(t: StoredTemplate, contact: Contact | null, data: Record<string, unknown> | undefined, sampleLinks: boolean): Promise<RenderedEmail> {
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
      throw new HttpError(422, 'render_failed', e.message, (e.details ?? []).map((d) => ({ path: 'mjml', line: d.line, message: d.message })));
    }
  }

  r.get('/templates', async (_req, res) => {
    res.json({ templates: await listTemplates(deps.db) });
  });

  r.get('/templates/:key', async (req, res) => {
    const q = parseOr400(versionQuery, req.query, 'query');
    res.json({ template: view(await load(req.params.key, q.version)) });
  });

  r.post('/templates/:key/validate', async (req, res) => {
    const key = parseOr400(templateKeySchema, req.params.key, 'key');
    const body = parseOr400(templateBodySchema, req.body);
    const v = await validateTemplate({ key, ...body });
    res.json({ ok: v.ok, issues: v.issues });
  });

  /** Creates or updates a template: a new version when the content changed. */
  r.put('/templates/:key', async (req, res) => {
    const key = parseOr400(templateKeySchema, req.params.key, 'key');
    const body = parseOr400(templateBodySchema, req.body);
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
    res.status(out.created ? 201 : 200).json({ template: view(await load(key, out.version)), created: out.created });
  });

  r.post('/templates/:key/preview', async (req, res) => {
    const body = parseOr400(templateRenderSchema, req.body ?? {});
    const t = await load(req.params.key, body.version);
    const contact = await contactFor(body.contactId);
    const out = await render(t, contact, body.data, false);
    res.json({ key: t.key, version: t.version, category: t.category, from: t.from ?? deps.mailFrom ?? null, replyTo: t.replyTo, ...out });
  });

  r.post('/templates/:key/test-send', async (req, res) => {
    const body = parseOr400(templateTestSendSchema, req.body ?? {});
    if (!deps.mailer) throw new HttpError(503, 'no_mailer', 'this server has no SMTP configured (SMTP_URL)');
    const t = await load(req.params.key, body.version);
    const contact = await contactFor(body.contactId);
    // Consent links in a test send point at the sample contact: a marketer who
    // clicks "unsubscribe" in a test must not unsubscribe the real contact.
    const out = await render(t, contact, body.data, true);
    const info = await deps.mailer.sendMail({
      from: t.from ?? deps.mailFrom,
      to: body.to,
      replyTo: t.replyTo ?? undefined,
      subject: `[Test] ${out.subject}`,
      html: out.html,
      text: out.text,
      headers: { 'X-Rapport-Test': `${t.key} v${t.version}` },
    });
    deps.log.info({ template: t.key, version: t.version }, 'test email sent');
    res.status(202).json({ sent: true, key: t.key, version: t.version, subject: `[Test] ${out.subject}`, messageId: info.messageId });
  });

  return r;
}
