// /v1/templates: list, get, save (a new immutable version when the content
// changes, after validation), validate, preview and test send. Each route
// parses its input and calls one use case (email/use-cases/).
import { Router } from 'express';
import {
  templateBodySchema,
  templateKeySchema,
  templateRenderSchema,
  templateTestSendSchema,
  templateVersionQuerySchema,
} from '../../email/template-schema';
import { listTemplates } from '../../email/template-store';
import { previewTemplate } from '../../email/use-cases/preview-template';
import { saveTemplate } from '../../email/use-cases/save-template';
import { testSendTemplate } from '../../email/use-cases/test-send-template';
import { loadTemplate, view } from '../../email/use-cases/template-view';
import { validateTemplate } from '../../email/validate';
import type { ServerDeps } from '../context';
import { parseOr400 } from '../errors';

export { templateBodySchema, templateKeySchema, templateRenderSchema, templateTestSendSchema };

export function templatesRouter(deps: ServerDeps): Router {
  const r = Router();
  const key = (value: string) => parseOr400(templateKeySchema, value, 'key');

  r.get('/templates', async (_req, res) => {
    res.json({ templates: await listTemplates(deps.db) });
  });

  r.get('/templates/:key', async (req, res) => {
    const q = parseOr400(templateVersionQuerySchema, req.query, 'query');
    res.json({ template: view(await loadTemplate(deps.db, key(req.params.key), q.version)) });
  });

  r.post('/templates/:key/validate', async (req, res) => {
    const k = key(req.params.key);
    const body = parseOr400(templateBodySchema, req.body);
    const v = await validateTemplate({ key: k, ...body });
    res.json({ ok: v.ok, issues: v.issues });
  });

  r.put('/templates/:key', async (req, res) => {
    const k = key(req.params.key);
    const out = await saveTemplate(deps, k, parseOr400(templateBodySchema, req.body));
    res.status(out.created ? 201 : 200).json(out);
  });

  r.post('/templates/:key/preview', async (req, res) => {
    const body = parseOr400(templateRenderSchema, req.body ?? {});
    res.json(await previewTemplate(deps, key(req.params.key), body));
  });

  r.post('/templates/:key/test-send', async (req, res) => {
    const body = parseOr400(templateTestSendSchema, req.body ?? {});
    res.status(202).json(await testSendTemplate(deps, key(req.params.key), body));
  });

  return r;
}
