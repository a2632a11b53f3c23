// /v1/journeys: drafts, validation, publishing, pause/resume, enrolment, runs.
// Each route parses its input and calls one use case (journeys/use-cases/).
import { Router } from 'express';
import { z } from 'zod';
import { enrolBodySchema, enrolContact } from '../../events/use-cases/request-enrolment';
import { journeyDetail } from '../../journeys/use-cases/journey-detail';
import { listJourneySummaries } from '../../journeys/use-cases/list-journeys';
import { journeyKeyParamSchema } from '../../journeys/use-cases/load';
import { publishDraft } from '../../journeys/use-cases/publish-draft';
import { runStatus } from '../../journeys/use-cases/run-status';
import { saveDraft } from '../../journeys/use-cases/save-draft';
import { setJourneyStatus } from '../../journeys/use-cases/set-journey-status';
import { validateDefinition } from '../../journeys/use-cases/validate-definition';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';
import { journeySimulateRouter } from './journey-simulate';

/** Query of GET /v1/journeys/:key/runs/:contactId: keyed journeys name the run by its key value. */
export const runQuerySchema = z.object({ runKey: z.string().optional().catch(undefined) });

export function journeysRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;
  const uc = { db, temporal: deps.temporal, onEventsStored: deps.onEventsStored };
  const key = (value: string) => parseOr400(journeyKeyParamSchema, value, 'key');

  r.get('/journeys', async (_req, res) => {
    res.json({ journeys: await listJourneySummaries(db) });
  });

  r.post('/journeys/validate', async (req, res) => {
    // Any JSON body gets its verdict (200); no body at all is not a definition to judge.
    if (req.body === undefined)
      throw new HttpError(400, 'validation_failed', '(body): a JSON body is required', [
        { path: '(body)', message: 'a JSON body is required' },
      ]);
    res.json(await validateDefinition(db, req.body));
  });

  r.put('/journeys/:key', async (req, res) => {
    res.json(await saveDraft(db, key(req.params.key), req.body));
  });

  r.post('/journeys/:key/publish', async (req, res) => {
    const out = await publishDraft(db, key(req.params.key));
    res.status(out.created ? 201 : 200).json(out);
  });

  r.get('/journeys/:key', async (req, res) => {
    res.json(await journeyDetail(db, key(req.params.key)));
  });

  for (const action of ['pause', 'resume'] as const) {
    r.post(`/journeys/:key/${action}`, async (req, res) => {
      res.json(await setJourneyStatus(uc, key(req.params.key), action));
    });
  }

  r.post('/journeys/:key/enrol', async (req, res) => {
    const k = key(req.params.key);
    const body = parseOr400(enrolBodySchema, req.body);
    res.status(202).json(await enrolContact(uc, k, body));
  });

  r.get('/journeys/:key/runs/:contactId', async (req, res) => {
    const contactId = parseOr400(z.uuid(), req.params.contactId, 'contactId');
    const k = key(req.params.key);
    const { runKey } = runQuerySchema.parse(req.query);
    res.json(await runStatus(uc, k, contactId, runKey ?? null));
  });

  r.use(journeySimulateRouter(deps));
  return r;
}
