// POST /v1/journeys/{key}/simulate: parses the request and calls the use case
// (simulator/use-cases/simulate-journey.ts).
import { Router } from 'express';
import { journeyKeyParamSchema } from '../../journeys/use-cases/load';
import { simulateRequestSchema } from '../../simulator/schema';
import { simulateJourneyRequest } from '../../simulator/use-cases/simulate-journey';
import type { ServerDeps } from '../context';
import { parseOr400 } from '../errors';

export function journeySimulateRouter(deps: ServerDeps): Router {
  const r = Router();
  r.post('/journeys/:key/simulate', async (req, res) => {
    const body = parseOr400(simulateRequestSchema, req.body ?? {});
    res.json(await simulateJourneyRequest(deps.db, parseOr400(journeyKeyParamSchema, req.params.key, 'key'), body));
  });
  return r;
}
