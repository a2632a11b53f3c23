// The events table as an outbox: the statements the dispatcher runs on it.
// Each is one set-based statement for a whole batch, so the database costs a
// few round trips per batch rather than several per event. They run on
// node-postgres as named (prepared once per connection) statements: through
// Prisma's raw API each cost the server's thread several times as much CPU
// (`npm run bench:query-cost`), and the dispatcher shares that thread with ingest.
import { sqlOf, type Db } from '../lib/db';

export interface OutboxEvent {
  id: string;
  contact_id: string;
  type: string;
  properties: Record<string, unknown>;
  occurred_at: Date;
  received_at: Date;
  dispatch_attempts: number;
}

/**
 * Claims up to `limit` due events, oldest first, leasing them for
 * `leaseSeconds` (renewed while they are worked on, see renewLease). Per
 * contact, events go out in the order received: an event is not claimed while
 * an earlier one of its contact is backing off or leased by anyone (this
 * dispatcher's other batch included), so several batches and several
 * dispatchers may run at once and order still holds.
 */
const CLAIM_DUE = `
  UPDATE events SET dispatch_attempts = dispatch_attempts + 1,
                    next_dispatch_at = now() + make_interval(secs => $2::float8)
  WHERE id IN (
    SELECT e.id FROM events e
    WHERE e.dispatched_at IS NULL AND e.next_dispatch_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM events earlier
        WHERE earlier.contact_id = e.contact_id AND earlier.dispatched_at IS NULL
          AND earlier.next_dispatch_at > now()
          AND (earlier.received_at, earlier.id) < (e.received_at, e.id))
    ORDER BY e.received_at, e.id
    LIMIT $1::int
    FOR UPDATE SKIP LOCKED)
  RETURNING id::text, contact_id::text, type, properties, occurred_at, received_at, dispatch_attempts`;

export async function claimDue(db: Db, limit: number, leaseSeconds: number): Promise<OutboxEvent[]> {
  const r = await sqlOf(db).query<OutboxEvent>({ name: 'rapport-outbox-claim', text: CLAIM_DUE, values: [limit, leaseSeconds] });
  return r.rows;
}

/** Extends the lease of events still being worked on (a live dispatcher keeps them). */
export async function renewLease(db: Db, ids: string[], leaseSeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await sqlOf(db).query({
    name: 'rapport-outbox-renew',
    text: `UPDATE events SET next_dispatch_at = now() + make_interval(secs => $2::float8)
           WHERE id = ANY($1::uuid[]) AND dispatched_at IS NULL`,
    values: [ids, leaseSeconds],
  });
}

export async function markDispatched(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sqlOf(db).query({
    name: 'rapport-outbox-dispatched',
    text: `UPDATE events SET dispatched_at = now(), dispatch_error = NULL WHERE id = ANY($1::uuid[])`,
    values: [ids],
  });
}

/** A failed delivery: try again after `waitSeconds`, with the reason kept on the row. */
export async function markFailed(db: Db, id: string, waitSeconds: number, error: string): Promise<void> {
  await sqlOf(db).query({
    name: 'rapport-outbox-failed',
    text: `UPDATE events SET next_dispatch_at = now() + make_interval(secs => $2::float8), dispatch_error = $3
           WHERE id = $1::uuid`,
    values: [id, waitSeconds, error],
  });
}

/**
 * Later events of a contact whose earlier event failed: they wait as long as it
 * does, and this claim does not count as an attempt.
 */
export async function postpone(db: Db, ids: string[], waitSeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await sqlOf(db).query({
    name: 'rapport-outbox-postpone',
    text: `UPDATE events SET next_dispatch_at = now() + make_interval(secs => $2::float8), dispatch_attempts = dispatch_attempts - 1
           WHERE id = ANY($1::uuid[])`,
    values: [ids, waitSeconds],
  });
}

/** How many events wait for dispatch, and how long the oldest has waited (for metrics and benchmarks). */
export async function backlog(db: Db): Promise<{ pending: number; oldestSeconds: number }> {
  const [r] = await db.$queryRaw<{ pending: bigint; oldest: number | null }[]>`
    SELECT count(*) AS pending, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest
    FROM events WHERE dispatched_at IS NULL`;
  return { pending: Number(r?.pending ?? 0), oldestSeconds: r?.oldest ?? 0 };
}
