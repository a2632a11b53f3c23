// The journey interpreter's bookkeeping as single SQL statements on
// node-postgres (named, so prepared once per connection): they run at every
// step of every run, where Prisma's CPU per query was most of the worker
// thread's database work (`npm run bench:query-cost`). Each statement is one
// implicit transaction and idempotent, as a retried local activity needs.
import type pg from 'pg';
import type { StepLog } from './journeys';

/** Where the run moves next: its row's current step becomes this one when it waits there (and the journey is not paused). */
export interface NextPosition {
  version: number;
  stepId: string;
  waits: boolean;
}

// The log line (once per key); the run's current step: the next one when it
// waits and the journey is not paused (the row created if the dispatcher has
// not written it yet), else the step just logged; and the journey's status.
// `moved` and `stayed` exclude each other, so the row is written once.
const LOG_AND_MOVE = `
  WITH j AS (SELECT status FROM journey_definitions WHERE key = $1),
  logged AS (
    INSERT INTO journey_step_logs (id, log_key, contact_id, workflow_id, journey_key, step_id, kind, outcome, detail)
    VALUES (gen_random_uuid(), $2, $3::uuid, $4, $1, $5, $6, $7, $8::jsonb)
    ON CONFLICT (log_key) DO NOTHING
    RETURNING 1),
  moved AS (
    INSERT INTO journey_runs (id, workflow_id, contact_id, journey_key, journey_version, current_step)
    SELECT gen_random_uuid(), $4, $3::uuid, $1, $9::int, $10
    WHERE $11::boolean AND (SELECT status FROM j) IS DISTINCT FROM 'paused'
    ON CONFLICT (workflow_id) DO UPDATE SET current_step = EXCLUDED.current_step
    RETURNING 1),
  stayed AS (
    UPDATE journey_runs SET current_step = $5
    WHERE workflow_id = $4 AND NOT ($11::boolean AND (SELECT status FROM j) IS DISTINCT FROM 'paused')
    RETURNING 1)
  SELECT (SELECT status FROM j) AS status`;

/** Logs a step and moves the run (to `next` when given); returns the journey's status (null: no such journey). */
export async function logAndMove(sql: pg.Pool, done: StepLog, next: NextPosition | null): Promise<string | null> {
  const r = await sql.query<{ status: string | null }>({
    name: 'rapport-step-log-and-move',
    text: LOG_AND_MOVE,
    values: [
      done.journeyKey,
      `${done.workflowId}:${done.runId}:${done.seq}`,
      done.contactId,
      done.workflowId,
      done.stepId,
      done.kind,
      done.outcome,
      JSON.stringify(done.detail ?? {}),
      next?.version ?? 0,
      next?.stepId ?? null,
      next?.waits ?? false,
    ],
  });
  return r.rows[0]?.status ?? null;
}

// The journey's status, and the run's row at the step when it waits there and the journey is not paused.
const ENTER = `
  WITH j AS (SELECT status FROM journey_definitions WHERE key = $1),
  moved AS (
    INSERT INTO journey_runs (id, workflow_id, contact_id, journey_key, journey_version, current_step)
    SELECT gen_random_uuid(), $2, $3::uuid, $1, $4::int, $5
    WHERE $6::boolean AND (SELECT status FROM j) IS DISTINCT FROM 'paused'
    ON CONFLICT (workflow_id) DO UPDATE SET current_step = EXCLUDED.current_step
    RETURNING 1)
  SELECT (SELECT status FROM j) AS status`;

/** Looks up the journey's status and marks the run as at `position` when it waits there; returns the status. */
export async function enterStep(
  sql: pg.Pool,
  run: { journeyKey: string; workflowId: string; contactId: string },
  position: NextPosition,
): Promise<string | null> {
  const r = await sql.query<{ status: string | null }>({
    name: 'rapport-step-enter',
    text: ENTER,
    values: [run.journeyKey, run.workflowId, run.contactId, position.version, position.stepId, position.waits],
  });
  return r.rows[0]?.status ?? null;
}
