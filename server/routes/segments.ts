// /v1/segments: saved conditions over attributes and behaviour, with a count
// and a sample before use. Each route parses its input and calls one use case
// (segments/use-cases/).
import { Router } from 'express';
import { z } from 'zod';
import { segmentBodySchema, segmentKeySchema } from '../../segments/service';
import { countSegment } from '../../segments/use-cases/count-segment';
import { createSegment } from '../../segments/use-cases/create-segment';
import { listSegments } from '../../segments/use-cases/list-segments';
import { replaceSegment } from '../../segments/use-cases/replace-segment';
import { sampleSegment } from '../../segments/use-cases/sample-segment';
import { loadSegment, segmentView } from '../../segments/use-cases/segment-store';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

const sampleQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) });

export function segmentsRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;
  const key = (value: string) => parseOr400(segmentKeySchema, value, 'key');

  function body(keyText: string, value: unknown) {
    const k = key(keyText);
    const b = parseOr400(segmentBodySchema, value);
    if (b.key !== undefined && b.key !== k) {
      throw new HttpError(400, 'validation_failed', 'key in the body must match the URL', [{ path: 'key', message: `must be "${k}"` }]);
    }
    return { key: k, body: b };
  }

  r.get('/segments', async (_req, res) => {
    res.json({ segments: await listSegments(db) });
  });

  r.post('/segments/:key', async (req, res) => {
    const b = body(req.params.key, req.body);
    res.status(201).json({ segment: await createSegment(db, b.key, b.body) });
  });

  r.put('/segments/:key', async (req, res) => {
    const b = body(req.params.key, req.body);
    const out = await replaceSegment(db, b.key, b.body);
    res.status(out.created ? 201 : 200).json({ segment: out.segment });
  });

  r.get('/segments/:key', async (req, res) => {
    res.json({ segment: segmentView(await loadSegment(db, key(req.params.key))) });
  });

  r.get('/segments/:key/count', async (req, res) => {
    res.json(await countSegment(db, key(req.params.key)));
  });

  r.get('/segments/:key/sample', async (req, res) => {
    const k = key(req.params.key);
    const { limit } = parseOr400(sampleQuery, req.query);
    res.json(await sampleSegment(db, k, limit));
  });

  return r;
}
