// The outbox relay: hands stored events to Temporal. An event counts as
// delivered only after every journey that should hear of it has been signalled
// (or started); until then it stays in the table and is retried with backoff,
// so Temporal or a worker being down delays events but never loses them.
// Several dispatchers may run at once: rows are claimed with SKIP LOCKED and a lease.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { parseDuration } from '../journeys/duration';
import type { JourneyDefinition } from '../journeys/schema';
import { activeJourneys, type PublishedJourney } from '../journeys/store';
import { redactEmails } from '../lib/redact';
import { triggerMatch } from './triggers';
import { journeyWorkflowId } from '../journeys/ids';
import { eventSignal } from '../workflows/signals';
import type { JourneyInput } from '../workflows/context';
import type { JourneyEvent } from './schema';

export interface DispatcherDeps {
  db: Db;
  client: Client;
  log: Logger;
  taskQueue: string;
  emailTaskQueue: string;
  batchSize: number;
  pollMs: number;
  maxBackoffSeconds: number;
}

interface ClaimedEvent {
  id: string;
  contact_id: string;
  type: string;
  properties: Record<string, unknown>;
  occurred_at: Date;
  received_at: Date;
  dispatch_attempts: number;
}

const LEASE_SECONDS = 60;
const DELIVERY_DEADLINE_MS = 5_000;

/**
 * Event properties travel into workflow histories with the signal; addresses
 * and phone numbers (e.g. a bounce's `email`) stay in the database. Journeys
 * match on the other properties.
 */
export function withoutPersonalData(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([k]) => !/e-?mail|phone/i.test(k)));
}

/** Whether a contact whose last run of a journey started at `lastStart` may enter it again. */
export function reentryAllowed(policy: JourneyDefinition['reentry'], lastStart: Date, now = new Date()): boolean {
  if (policy === 'once') return false;
  if (policy === 'always') return true;
  return now.getTime() - lastStart.getTime() >= (parseDuration(policy.cooldown) ?? 0);
}

export class Dispatcher {
  private stopped = true;
  private wake: (() => void) | null = null;
  private pending = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Claims and delivers one batch; returns how many events it claimed. */
  async dispatchBatch(): Promise<number> {
    const { db } = this.deps;
    // The lease covers the worst case of a whole batch, so nobody claims a row mid-batch.
    const lease = Math.max(LEASE_SECONDS, Math.ceil((this.deps.batchSize * DELIVERY_DEADLINE_MS * 2) / 1000));
    // Per contact, events go out in the order received: an event waits while an
    // earlier one of its contact is backing off or leased elsewhere.
    const rows = await db.$queryRaw<ClaimedEvent[]>`
      UPDATE events SET dispatch_attempts = dispatch_attempts + 1,
                        next_dispatch_at = now() + make_interval(secs => ${lease})
      WHERE id IN (
        SELECT e.id FROM events e
        WHERE e.dispatched_at IS NULL AND e.next_dispatch_at <= now()
          AND NOT EXISTS (
            SELECT 1 FROM events earlier
            WHERE earlier.contact_id = e.contact_id AND earlier.dispatched_at IS NULL
              AND earlier.next_dispatch_at > now()
              AND (earlier.received_at, earlier.id) < (e.received_at, e.id))
        ORDER BY e.received_at, e.id
        LIMIT ${this.deps.batchSize}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, contact_id, type, properties, occurred_at, received_at, dispatch_attempts`;
    if (rows.length === 0) return 0;
    rows.sort((a, b) => a.received_at.getTime() - b.received_at.getTime() || a.id.localeCompare(b.id));
    const journeys = await activeJourneys(db);
    // After a failure, the contact's later events of this batch wait as long as the
    // failed one (and their attempt is not counted).
    const blocked = new Map<string, number>();
    for (const e of rows) {
      const delay = blocked.get(e.contact_id);
      if (delay !== undefined) {
        await db.$executeRaw`
          UPDATE events SET next_dispatch_at = now() + make_interval(secs => ${delay}), dispatch_attempts = dispatch_attempts - 1
          WHERE id = ${e.id}::uuid`;
        continue;
      }
      try {
        // A deadline so an unreachable Temporal fails fast instead of hanging the loop.
        await this.deps.client.withDeadline(Date.now() + DELIVERY_DEADLINE_MS, () => this.deliver(e, journeys));
        await db.$executeRaw`UPDATE events SET dispatched_at = now(), dispatch_error = NULL WHERE id = ${e.id}::uuid`;
      } catch (err) {
        const wait = Math.min(2 ** Math.min(e.dispatch_attempts, 9), this.deps.maxBackoffSeconds);
        blocked.set(e.contact_id, wait);
        const message = redactEmails((err as Error).message?.slice(0, 500) ?? 'unknown error');
        this.deps.log.warn({ eventId: e.id, attempt: e.dispatch_attempts, err: message }, 'event dispatch failed; will retry');
        await db.$executeRaw`
          UPDATE events SET next_dispatch_at = now() + make_interval(secs => ${wait}), dispatch_error = ${message}
          WHERE id = ${e.id}::uuid`;
      }
    }
    return rows.length;
  }

  private async deliver(e: ClaimedEvent, journeys: PublishedJourney[]): Promise<void> {
    const { db, client } = this.deps;
    const signal: JourneyEvent = {
      eventId: e.id,
      type: e.type,
      properties: withoutPersonalData(e.properties),
      occurredAt: e.occurred_at.toISOString(),
    };
    // 1. Every running run of the contact hears of the event (it ignores what it does not wait for).
    const running = await db.journeyRun.findMany({ where: { contactId: e.contact_id, status: 'running' } });
    const signalled = new Set<string>();
    for (const run of running) {
      try {
        await client.workflow.getHandle(run.workflowId).signal(eventSignal, signal);
        signalled.add(run.workflowId);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // The run is over but its row still says running (it failed, was
        // terminated, or ended just now): correct the row, so the trigger below
        // may start a new run where re-entry allows.
        await this.markEnded(run.workflowId);
      }
    }
    // 2. Journeys whose trigger the event satisfies start (subject to re-entry rules).
    const contact = await db.contact.findUnique({ where: { id: e.contact_id } });
    if (!contact || contact.deletedAt) return;
    for (const j of journeys) {
      const match = await triggerMatch(db, j.definition, signal, contact);
      if (!match) continue;
      const workflowId = journeyWorkflowId(j.key, e.contact_id, match.runKey);
      if (signalled.has(workflowId)) continue; // never two concurrent runs
      const previous = await db.journeyRun.findUnique({ where: { workflowId } });
      if (previous && !reentryAllowed(j.definition.reentry, previous.startedAt)) continue;
      const input: JourneyInput = {
        contactId: e.contact_id,
        journeyKey: j.key,
        version: j.version,
        emailTaskQueue: this.deps.emailTaskQueue,
        triggerEventId: e.id,
      };
      try {
        await client.workflow.signalWithStart('journeyWorkflow', {
          workflowId,
          taskQueue: this.deps.taskQueue,
          args: [input],
          signal: eventSignal,
          signalArgs: [signal],
          workflowIdReusePolicy:
            j.definition.reentry === 'once'
              ? WorkflowIdReusePolicy.REJECT_DUPLICATE
              : WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) continue; // closed, and re-entry is not allowed
        throw err;
      }
      await db.journeyRun.upsert({
        where: { workflowId },
        create: { workflowId, contactId: e.contact_id, journeyKey: j.key, journeyVersion: j.version },
        update: { status: 'running', journeyVersion: j.version, startedAt: new Date(), endedAt: null, currentStep: null },
      });
      signalled.add(workflowId);
      this.deps.log.info({ workflowId, eventId: e.id, why: match.why }, 'journey started');
    }
  }

  private async markEnded(workflowId: string): Promise<void> {
    let status = 'completed';
    try {
      const d = await this.deps.client.workflow.getHandle(workflowId).describe();
      if (d.status.name === 'RUNNING') return;
      if (d.status.name !== 'COMPLETED' && d.status.name !== 'CONTINUED_AS_NEW') status = 'failed';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      status = 'failed'; // gone from Temporal (retention passed)
    }
    await this.deps.db.journeyRun.updateMany({
      where: { workflowId, status: 'running' },
      data: { status, endedAt: new Date(), currentStep: null },
    });
  }

  /** Asks the loop to run now (e.g. right after an event was stored). */
  kick(): void {
    this.pending = true;
    this.wake?.();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      this.pending = false;
      try {
        claimed = await this.dispatchBatch();
      } catch (err) {
        this.deps.log.warn({ err: (err as Error).message }, 'dispatcher cannot reach the database; retrying');
      }
      if (this.stopped) break;
      if (claimed >= this.deps.batchSize || this.pending) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.deps.pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}
