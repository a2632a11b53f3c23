// Delivering one contact's stored events to Temporal, in the order received:
// every running run of the contact hears of each event (a signal), and the
// journeys the event triggers start (signal-with-start), subject to re-entry.
// The dispatcher loads what this needs for a whole batch at once (the
// contacts, their runs) and keeps it current here as runs start and end.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Contact, JourneyRun } from '@prisma/client';
import { sqlOf, type Db } from '../lib/db';
import { BoundedCache } from '../lib/bounded-cache';
import type { Logger } from '../lib/logger';
import { journeyWorkflowId } from '../journeys/ids';
import { runHearsOf } from '../journeys/interest';
import { reentryAllowed } from '../journeys/reentry';
import { journeyVersion, type PublishedJourney } from '../journeys/store';
import { JOURNEY_ENGINE, type JourneyInput } from '../shared/journey-run';
import { eventSignal } from '../shared/signals';
import type { OutboxEvent } from './outbox';
import type { JourneyEvent } from './schema';
import { triggerMatch } from './triggers';

export interface DeliveryDeps {
  db: Db;
  client: Client;
  log: Logger;
  taskQueue: string;
  emailTaskQueue: string;
}

/** What the dispatcher knows of one contact at the start of a batch. */
export interface ContactState {
  contact: Contact | null;
  /** Every run of the contact (any status), by workflow id. */
  runs: Map<string, JourneyRun>;
}

/**
 * Event properties travel into workflow histories with the signal; addresses
 * and phone numbers (e.g. a bounce's `email`) stay in the database. Journeys
 * match on the other properties.
 */
export function withoutPersonalData(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([k]) => !/e-?mail|phone/i.test(k)));
}

export { reentryAllowed };

export function journeySignal(e: OutboxEvent): JourneyEvent {
  return { eventId: e.id, type: e.type, properties: withoutPersonalData(e.properties), occurredAt: e.occurred_at.toISOString() };
}

/** Delivers one event; throws when Temporal could not be told (the caller retries later). */
export async function deliverEvent(deps: DeliveryDeps, journeys: PublishedJourney[], state: ContactState, e: OutboxEvent): Promise<void> {
  const { client } = deps;
  const signal = journeySignal(e);
  // 1. Every running run of the contact that can react to the event hears of it.
  const signalled = new Set<string>();
  for (const run of [...state.runs.values()].filter((r) => r.status === 'running')) {
    if (!(await hears(deps.db, run, e))) continue;
    try {
      await client.workflow.getHandle(run.workflowId).signal(eventSignal, signal);
      signalled.add(run.workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The run is over but its row still says running (it failed, was
      // terminated, or ended just now): correct the row, so the trigger below
      // may start a new run where re-entry allows.
      await markEnded(deps, state, run.workflowId);
    }
  }
  // 2. Journeys whose trigger the event satisfies start (subject to re-entry rules).
  const contact = state.contact;
  if (!contact || contact.deletedAt) return;
  const starts: { j: PublishedJourney; workflowId: string; why: string }[] = [];
  for (const j of journeys) {
    const match = await triggerMatch(deps.db, j.definition, signal, contact);
    if (!match) continue;
    const workflowId = journeyWorkflowId(j.key, e.contact_id, match.runKey);
    if (signalled.has(workflowId)) continue; // never two concurrent runs
    const previous = state.runs.get(workflowId);
    if (previous && !reentryAllowed(j.definition.reentry, previous.startedAt)) continue;
    starts.push({ j, workflowId, why: match.why });
  }
  // Runs of different journeys have no order between them: one event's starts
  // go to Temporal at once (a sign-up starts welcome and nurture), so the event
  // waits for one round trip rather than one per journey. If one fails, the
  // event is delivered again; a run already started then only hears the event
  // again, and a run drops an event id it has seen.
  await Promise.all(starts.map((s) => startRun(deps, state, e, signal, s)));
}

async function startRun(
  deps: DeliveryDeps,
  state: ContactState,
  e: OutboxEvent,
  signal: JourneyEvent,
  { j, workflowId, why }: { j: PublishedJourney; workflowId: string; why: string },
): Promise<void> {
  const input: JourneyInput = {
    contactId: e.contact_id,
    journeyKey: j.key,
    version: j.version,
    emailTaskQueue: deps.emailTaskQueue,
    triggerEventId: e.id,
    engine: JOURNEY_ENGINE,
  };
  try {
    await deps.client.workflow.signalWithStart('journeyWorkflow', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      signal: eventSignal,
      signalArgs: [signal],
      workflowIdReusePolicy:
        j.definition.reentry === 'once' ? WorkflowIdReusePolicy.REJECT_DUPLICATE : WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return; // closed, and re-entry is not allowed
    throw err;
  }
  state.runs.set(workflowId, await runStarted(deps.db, { workflowId, contactId: e.contact_id, journeyKey: j.key, version: j.version }));
  deps.log.debug({ workflowId, eventId: e.id, why }, 'journey started');
}

// The run's row: created, or (a re-entered run) running again from now. The
// current step is the run's to write (it may already have): an ended run's
// row has none left, so a re-entered run starts clean either way.
const RUN_STARTED = `
  INSERT INTO journey_runs (id, workflow_id, contact_id, journey_key, journey_version)
  VALUES (gen_random_uuid(), $1, $2::uuid, $3, $4::int)
  ON CONFLICT (workflow_id) DO UPDATE
    SET status = 'running', journey_version = EXCLUDED.journey_version, started_at = now(), ended_at = NULL
  RETURNING id::text, workflow_id, contact_id::text, journey_key, journey_version, status, current_step, started_at, ended_at`;

/** Writes the started run's row (one statement on node-postgres, as the outbox's are). */
async function runStarted(
  db: Db,
  run: { workflowId: string; contactId: string; journeyKey: string; version: number },
): Promise<JourneyRun> {
  const r = await sqlOf(db).query<{
    id: string;
    workflow_id: string;
    contact_id: string;
    journey_key: string;
    journey_version: number;
    status: string;
    current_step: string | null;
    started_at: Date;
    ended_at: Date | null;
  }>({ name: 'rapport-run-started', text: RUN_STARTED, values: [run.workflowId, run.contactId, run.journeyKey, run.version] });
  const row = r.rows[0]!;
  return {
    id: row.id,
    workflowId: row.workflow_id,
    contactId: row.contact_id,
    journeyKey: row.journey_key,
    journeyVersion: row.journey_version,
    status: row.status,
    currentStep: row.current_step,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

/** Whether the run's journey version reacts to the event (see journeys/interest.ts). */
async function hears(db: Db, run: JourneyRun, e: OutboxEvent): Promise<boolean> {
  const key = `${run.journeyKey}@${run.journeyVersion}`;
  let hearsOf = interest.get(key);
  if (!hearsOf) {
    const def = await journeyVersion(db, run.journeyKey, run.journeyVersion);
    if (!def) return true; // unknown here: let the run decide
    hearsOf = runHearsOf(def);
    interest.set(key, hearsOf);
  }
  return hearsOf(e);
}

/** Published versions never change, so what they hear of is kept (a few entries per journey). */
const interest = new BoundedCache<string, (e: { type: string; properties: Record<string, unknown> }) => boolean>(2000);

async function markEnded(deps: DeliveryDeps, state: ContactState, workflowId: string): Promise<void> {
  let status = 'completed';
  try {
    const d = await deps.client.workflow.getHandle(workflowId).describe();
    if (d.status.name === 'RUNNING') return;
    if (d.status.name !== 'COMPLETED' && d.status.name !== 'CONTINUED_AS_NEW') status = 'failed';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    status = 'failed'; // gone from Temporal (retention passed)
  }
  await deps.db.journeyRun.updateMany({
    where: { workflowId, status: 'running' },
    data: { status, endedAt: new Date(), currentStep: null },
  });
  const run = state.runs.get(workflowId);
  if (run) state.runs.set(workflowId, { ...run, status, endedAt: new Date(), currentStep: null });
}
