// Use case of POST /v1/journeys/{key}/simulate: the predicted path of one
// contact through a journey (its draft, a published version, or a definition
// in the body), given future events. It loads and validates; simulator/simulate.ts
// runs the real interpreter on a virtual clock. Nothing is sent, stored or called.
import { findContact } from '../../contacts/service';
import { journeyVersion } from '../../journeys/store';
import { validateJourney } from '../../journeys/validate';
import type { Db } from '../../lib/db';
import { InvalidInputError, NotFoundError } from '../../lib/errors';
import { offsetMs, type SimulateRequest } from '../schema';
import { describedContact, simulateJourney, type SimulationResult } from '../simulate';

/** Loads and validates what to simulate, then runs the simulator; `key` is a parsed journey key. */
export async function simulateJourneyRequest(db: Db, key: string, body: SimulateRequest, now = new Date()): Promise<SimulationResult> {
  const j = await db.journeyDefinition.findUnique({ where: { key }, select: { draft: true } });
  if (!j) throw new NotFoundError('journey_not_found', `no journey "${key}"`);

  let raw: unknown = body.definition ?? j.draft;
  const prefix = body.definition !== undefined ? 'definition' : 'draft';
  if (body.version !== undefined) {
    const def = await journeyVersion(db, key, body.version);
    if (!def)
      throw new NotFoundError('version_not_found', `journey "${key}" has no version ${body.version}`, [
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
    throw new InvalidInputError('invalid_journey', `${details[0]?.path}: ${details[0]?.message}`, details);
  }
  if (v.definition.key !== key)
    throw new InvalidInputError('validation_failed', 'definition.key must match the URL', [
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
      throw new NotFoundError('contact_not_found', 'no such contact', [
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
