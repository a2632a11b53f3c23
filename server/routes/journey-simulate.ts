// POST /v1/journeys/{key}/simulate: the predicted path of one contact through
// a journey (its draft, a published version, or a definition in the body),
// given future events. The use case loads and validates; simulator/ runs the
// real interpreter on a virtual clock. Nothing is sent, stored or called.
import { Router } from 'express';
import { z } from 'zod';
import { findContact } from '../../contacts/service';
import { journeyVersion } from '../../journeys/store';
import { validateJourney } from '../../journeys/validate';
import type { Db } from '../../lib/db';
import { offsetMs, simulateRequestSchema, type SimulateRequest } from '../../simulator/schema';
import { describedContact, simulateJourney, type SimulationResult } from '../../simulator/simulate';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

const keyParam = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a journey key');

export async function simulateJourneyRequest(db: Db, rawKey: string, body: SimulateRequest, now = new Date()): Promise<SimulationResult> {
  const key = parseOr400(keyParam, rawKey, 'key');
  const j = await db.journeyDefinition.findUnique({ where: { key }, select: { draft: true } });
  if (!j) throw new HttpError(404, 'journey_not_found', `no journey "${key}"`);

  let raw: unknown = body.definition ?? j.draft;
  const prefix = body.definition !== undefined ? 'definition' : 'draft';
  if (body.version !== undefined) {
    const def = await journeyVersion(db, key, body.version);
    if (!def)
      throw new HttpError(404, 'version_not_found', `journey "${key}" has no version ${body.version}`, [
        { path: 'version', message: 'not a published version' },
      ]);
    raw = def;
  }
  const [templates, journeys] = await Promise.all([
    db.template.findMany({ select: { key: true } }),
    db.journeyDefinition.findMany({ select: { key: true } }),
  ]);
  const v = validateJourney(raw, {
    templates: new Set(templates.map((t) => t.key)),
    journeys: new Set([...journeys.map((x) => x.key), key]),
  });
  if (!v.ok) {
    const details = v.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
    throw new HttpError(400, 'invalid_journey', `${details[0]?.path}: ${details[0]?.message}`, details);
  }
  if (v.definition.key !== key)
    throw new HttpError(400, 'validation_failed', 'definition.key must match the URL', [
      { path: 'definition.key', message: `must be "${key}"` },
    ]);

  const start = body.start ? new Date(body.start) : now;
  let contact;
  let history;
  if (body.contact.describe) {
    contact = describedContact(body.contact.describe, start);
  } else {
    contact = await findContact(db, { id: body.contact.id, email: body.contact.email });
    if (!contact)
      throw new HttpError(404, 'contact_not_found', 'no such contact', [
        { path: body.contact.id ? 'contact.id' : 'contact.email', message: 'no contact with this value' },
      ]);
    const id = contact.id;
    // Its stored events before the start count in event conditions, as they would.
    history = ({ type, since }: { type: string; since?: Date }) =>
      db.event.findMany({
        where: { contactId: id, type, occurredAt: { ...(since ? { gte: since } : {}), lt: start } },
        select: { properties: true },
        take: 10_000,
      });
  }
  return simulateJourney({
    definition: v.definition,
    version: body.version ?? null,
    contact,
    events: body.events.map((e) => ({ type: e.type, properties: e.properties, atMs: offsetMs(e.at) })),
    triggerProperties: body.trigger?.properties,
    start,
    horizonMs: offsetMs(body.horizon),
    webhooks: body.webhooks,
    history,
  });
}

export function journeySimulateRouter(deps: ServerDeps): Router {
  const r = Router();
  r.post('/journeys/:key/simulate', async (req, res) => {
    const body = parseOr400(simulateRequestSchema, req.body ?? {});
    res.json(await simulateJourneyRequest(deps.db, req.params.key, body));
  });
  return r;
}
