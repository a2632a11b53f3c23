// Workspace API routes the public /v1 API has no counterpart for: a template
// draft's live preview (not stored), a segment condition's count and sample
// before it is saved, a newsletter's results, and the embedded mail sink's mail.
import { Router } from 'express';
import { z } from 'zod';
import { previewTemplateDraft } from '../../email/use-cases/preview-draft';
import { conditionSchema } from '../../journeys/schema';
import { safeJson } from '../../lib/zod-strings';
import { audienceOfSegment, resultsOfNewsletter } from '../../newsletters/use-cases/audience-and-results';
import { segmentKeySchema } from '../../segments/service';
import { previewSegment } from '../../segments/use-cases/preview-segment';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';
import { templateBodySchema } from '../routes/templates';

const templateKey = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'must be lower-case letters, digits, _ or - (max 100)');
const draftPreviewBody = templateBodySchema.extend({ contactId: z.uuid().optional() });
const segmentPreviewBody = z.strictObject({ condition: safeJson(conditionSchema), limit: z.number().int().min(1).max(50).default(10) });

const sinkList = z.array(z.object({ id: z.string(), date: z.string(), to: z.string(), subject: z.string() }));
const sinkMessage = z.object({
  id: z.string(),
  date: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string(),
  headers: z.record(z.string(), z.string()),
});
const sinkId = z.string().regex(/^[\w-]{1,80}$/, 'must be a message id');

export function workspaceExtras(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;

  /** Validates and renders a draft for a contact (or the sample one); stores nothing. */
  r.post('/templates/:key/draft-preview', async (req, res) => {
    const key = parseOr400(templateKey, req.params.key, 'key');
    const { contactId, ...draft } = parseOr400(draftPreviewBody, req.body);
    res.json(await previewTemplateDraft(deps, key, draft, contactId));
  });

  /** A condition's count and newest members, before it is saved as a segment. */
  r.post('/segments/preview', async (req, res) => {
    const body = parseOr400(segmentPreviewBody, req.body);
    res.json(await previewSegment(db, body.condition, body.limit));
  });

  /** How many a newsletter to a saved segment would reach now. */
  r.get('/newsletters/audience', async (req, res) => {
    res.json(await audienceOfSegment(db, parseOr400(segmentKeySchema, req.query.segment, 'query.segment')));
  });

  r.get('/newsletters/:id/results', async (req, res) => {
    res.json(await resultsOfNewsletter(db, parseOr400(z.uuid(), req.params.id, 'id')));
  });

  // ---- the embedded mail sink (npm start sets MAIL_SINK_URL) ----------------------
  async function sink<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    if (!deps.mailSinkUrl)
      throw new HttpError(
        404,
        'no_mail_sink',
        'this server sends through an SMTP relay; only the embedded setup (npm start) keeps the mail it sends',
      );
    let res: Response;
    try {
      res = await fetch(new URL(path, deps.mailSinkUrl), { signal: AbortSignal.timeout(5000) });
    } catch {
      throw new HttpError(502, 'mail_sink_unavailable', 'the mail sink does not answer');
    }
    if (res.status === 404) throw new HttpError(404, 'message_not_found', 'no such message');
    if (!res.ok) throw new HttpError(502, 'mail_sink_unavailable', `the mail sink answered ${res.status}`);
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success) throw new HttpError(502, 'mail_sink_unavailable', 'the mail sink answered something unexpected');
    return parsed.data;
  }
  r.get('/mail', async (_req, res) => {
    res.json({ messages: await sink('/api/messages', sinkList) });
  });
  r.get('/mail/:id', async (req, res) => {
    const id = parseOr400(sinkId, req.params.id, 'id');
    res.json({ message: await sink(`/api/messages/${id}`, sinkMessage) });
  });
  return r;
}
