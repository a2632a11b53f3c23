// /v1/segments: saved conditions over attributes and behaviour, with a count
// and a sample before use.
import { Router } from 'express';
import type { Prisma, Segment } from '@prisma/client';
import { z } from 'zod';
import { segmentBodySchema, segmentCount, segmentKeySchema, segmentSample, storedCondition, StoredConditionError } from '../../segments/service';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

const sampleQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) });

const view = (s: Segment) => ({
  key: s.key,
  name: s.name,
  description: s.description,
  condition: s.condition,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export function segmentsRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;

  async function load(keyText: string): Promise<Segment> {
    const key = parseOr400(segmentKeySchema, keyText, 'key');
    const s = await db.segment.findUnique({ where: { key } });
    if (!s) throw new HttpError(404, 'segment_not_found', `no segment "${key}"`);
    return s;
  }

  /** The saved condition, or a 409 that says how to repair it. */
  function conditionOf(s: Segment) {
    try {
      return storedCondition(s.condition);
    } catch (err) {
      if (err instanceof StoredConditionError) throw new HttpError(409, 'segment_invalid', err.message, err.issues);
      throw err;
    }
  }

  function body(keyText: string, value: unknown) {
    const key = parseOr400(segmentKeySchema, keyText, 'key');
    const b = parseOr400(segmentBodySchema, value);
    if (b.key !== undefined && b.key !== key) {
      throw new HttpError(400, 'validation_failed', 'key in the body must match the URL', [{ path: 'key', message: `must be "${key}"` }]);
    }
    return { key, data: { name: b.name, description: b.description ?? null, condition: b.condition as Prisma.InputJsonObject } };
  }

  r.get('/segments', async (_req, res) => {
    const rows = await db.segment.findMany({ orderBy: { key: 'asc' } });
    res.json({ segments: rows.map(view) });
  });

  /** Creates a segment; 409 if the key is taken (PUT replaces). */
  r.post('/segments/:key', async (req, res) => {
    const { key, data } = body(req.params.key, req.body);
    const created = await db.segment.createMany({ data: [{ key, ...data }], skipDuplicates: true });
    if (created.count === 0) throw new HttpError(409, 'segment_exists', `segment "${key}" exists; PUT replaces it`);
    res.status(201).json({ segment: view(await db.segment.findUniqueOrThrow({ where: { key } })) });
  });

  /** Creates or replaces a segment. */
  r.put('/segments/:key', async (req, res) => {
    const { key, data } = body(req.params.key, req.body);
    const existed = await db.segment.findUnique({ where: { key }, select: { id: true } });
    const s = await db.segment.upsert({ where: { key }, create: { key, ...data }, update: data });
    res.status(existed ? 200 : 201).json({ segment: view(s) });
  });

  r.get('/segments/:key', async (req, res) => {
    res.json({ segment: view(await load(req.params.key)) });
  });

  r.get('/segments/:key/count', async (req, res) => {
    const s = await load(req.params.key);
    res.json({ key: s.key, count: await segmentCount(db, conditionOf(s)) });
  });

  r.get('/segments/:key/sample', async (req, res) => {
    const s = await load(req.params.key);
    const { limit } = parseOr400(sampleQuery, req.query);
    const condition = conditionOf(s);
    const contacts = await segmentSample(db, condition, limit);
    res.json({ key: s.key, count: await segmentCount(db, condition), contacts });
  });

  return r;
}
