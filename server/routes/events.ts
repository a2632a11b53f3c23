import { Router } from 'express';
import type { Db } from '../../lib/db';
import type { GroupCommit } from '../../events/group-commit';
import { ContactConflictError, ingestEvent, UnknownContactError, type IngestResult } from '../../events/ingest';
import { eventBatchSchema, type EventInput } from '../../events/schema';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

/**
 * Stores each event of a request. A single event answers 202 with its result;
 * a batch answers 202 when all were stored, or 207 with a result per event.
 */
export async function storeEvents(db: Db, source: string, body: unknown, group?: GroupCommit): Promise<{ status: number; body: unknown }> {
  const parsed = parseOr400(eventBatchSchema, body);
  const single = !('events' in parsed);
  const inputs: EventInput[] = 'events' in parsed ? parsed.events : [parsed];
  const results: (IngestResult | { id: string; error: { code: string; message: string; details: { path: string; message: string }[] } })[] =
    [];
  for (const [i, input] of inputs.entries()) {
    const prefix = single ? '' : `events.${i}.`;
    try {
      results.push(await ingestEvent(db, source, input, group));
    } catch (err) {
      let e: HttpError;
      if (err instanceof UnknownContactError)
        e = new HttpError(404, 'contact_not_found', err.message, [{ path: `${prefix}contact`, message: err.message }]);
      else if (err instanceof ContactConflictError)
        e = new HttpError(409, 'contact_conflict', err.message, [{ path: `${prefix}contact.${err.field}`, message: err.message }]);
      else throw err;
      if (single) throw e;
      results.push({ id: input.id, error: { code: e.code, message: e.message, details: e.details } });
    }
  }
  if (single) return { status: 202, body: results[0] };
  const failed = results.some((r) => 'error' in r);
  return { status: failed ? 207 : 202, body: { results } };
}

/** POST /v1/events: one event or { events: [...] }, each with an idempotency id. */
export function eventsRouter(deps: ServerDeps): Router {
  const r = Router();
  r.post('/events', async (req, res) => {
    const store = () => storeEvents(deps.db, 'api', req.body, deps.ingestGroup);
    const out = deps.ingestAdmission ? await deps.ingestAdmission.run(store) : await store();
    deps.onEventsStored();
    res.status(out.status).json(out.body);
  });
  return r;
}
