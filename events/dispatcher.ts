// The outbox relay: hands stored events to Temporal. An event counts as
// delivered only after every journey that should hear of it has been signalled
// (or started); until then it stays in the table and is retried with backoff,
// so Temporal or a worker being down delays events but never loses them.
//
// Throughput comes from concurrency across contacts: a batch is claimed in one
// statement, the contacts and runs it needs are read in two, and its contacts
// are delivered `concurrency` at a time, each contact's events in order.
// Two batches are in flight at once, so one slow contact does not idle the
// loop. Several dispatchers may run at once: rows are claimed with SKIP
// LOCKED under a short lease that a live dispatcher renews while it works, so
// the events of one that died are taken over within a lease.
import type { Client } from '@temporalio/client';
import pMap from 'p-map';
import type { Db } from '../lib/db';
import { errorFields, type Logger } from '../lib/logger';
import { dispatchedEvents, dispatchLag } from '../lib/metrics';
import { activeJourneys, type PublishedJourney } from '../journeys/store';
import { redactEmails } from '../lib/redact';
import type { BacklogGate } from './backlog-gate';
import { CongestionWindow, isOverload } from './congestion';
import { KickThrottle } from './kick-throttle';
import { deliverEvent, type ContactState } from './delivery';
import { claimDue, markDispatched, markFailed, postpone, renewLease, type OutboxEvent } from './outbox';

export { reentryAllowed, withoutPersonalData } from './delivery';

export interface DispatcherDeps {
  db: Db;
  client: Client;
  log: Logger;
  taskQueue: string;
  emailTaskQueue: string;
  batchSize: number;
  pollMs: number;
  maxBackoffSeconds: number;
  /** Contacts delivered at once per batch (default 64). */
  concurrency?: number;
  /** Lease of claimed events, renewed every third of it while they are worked on (default 30 s). */
  leaseSeconds?: number;
  /** How long a kick waits for more events before the loop claims them (default KICK_COALESCE_MS). */
  kickCoalesceMs?: number;
  /** Holds deliveries while the workers' task queue is backlogged (events/backlog-gate.ts); none: never held. */
  backlog?: BacklogGate;
}

/** A delivery that takes longer than this fails (and is retried), so an unreachable Temporal cannot hang the loop. */
const DELIVERY_DEADLINE_MS = 5_000;
/** Batches each dispatcher works on at once. */
const PIPELINE = 2;
/**
 * Events stored one request at a time each kick the loop; claiming them a
 * batch per event cost as much CPU as storing them (five queries per batch).
 * The loop is woken at most once per this many ms: the first kick after a
 * quiet spell at once (a lone event does not wait), the kicks that follow
 * within it together, at its end.
 */
export const KICK_COALESCE_MS = 20;

export interface DispatchStats {
  delivered: number;
  failed: number;
}

export class Dispatcher {
  private stopped = true;
  private wakers = new Set<() => void>();
  private pending = false;
  private readonly kicks: KickThrottle;
  private loops: Promise<void>[] = [];
  readonly stats: DispatchStats = { delivered: 0, failed: 0 };
  /** Deliveries in flight across this dispatcher's batches, narrowed while Temporal cannot keep up (events/congestion.ts). */
  readonly window: CongestionWindow;

  constructor(private readonly deps: DispatcherDeps) {
    this.window = new CongestionWindow(deps.concurrency ?? 64);
    this.kicks = new KickThrottle(deps.kickCoalesceMs ?? KICK_COALESCE_MS, () => {
      for (const wake of this.wakers) wake();
    });
  }

  private get leaseSeconds(): number {
    return this.deps.leaseSeconds ?? 30;
  }

  /** Read per batch (one query): a journey published or paused takes effect with the next batch. */
  private journeys(): Promise<PublishedJourney[]> {
    return activeJourneys(this.deps.db);
  }

  /** Claims and delivers one batch; returns how many events it claimed. */
  async dispatchBatch(): Promise<number> {
    const { db } = this.deps;
    const rows = await claimDue(db, this.deps.batchSize, this.leaseSeconds);
    if (rows.length === 0) return 0;
    const open = new Set(rows.map((r) => r.id));
    // Keep the lease while the batch is worked on; a dispatcher that dies lets it lapse.
    const renewal = setInterval(
      () => {
        renewLease(db, [...open], this.leaseSeconds).catch((err: unknown) =>
          this.deps.log.warn(errorFields(err), 'could not renew the lease of claimed events'),
        );
      },
      (this.leaseSeconds * 1000) / 3,
    );
    try {
      const byContact = new Map<string, OutboxEvent[]>();
      for (const e of rows) byContact.set(e.contact_id, [...(byContact.get(e.contact_id) ?? []), e]);
      const ids = [...byContact.keys()];
      const [journeys, contacts, runs] = await Promise.all([
        this.journeys(),
        db.contact.findMany({ where: { id: { in: ids } } }),
        db.journeyRun.findMany({ where: { contactId: { in: ids } } }),
      ]);
      const states = new Map<string, ContactState>(ids.map((id) => [id, { contact: null, runs: new Map() }]));
      for (const c of contacts) states.get(c.id)!.contact = c;
      for (const r of runs) states.get(r.contactId)!.runs.set(r.workflowId, r);

      let done: string[] = [];
      const flush = async () => {
        const ids = done;
        done = [];
        await markDispatched(db, ids);
        for (const id of ids) open.delete(id);
      };
      await pMap(
        byContact,
        async ([contactId, events]) => {
          events.sort((a, b) => a.received_at.getTime() - b.received_at.getTime() || a.id.localeCompare(b.id));
          for (const [i, e] of events.entries()) {
            // The deadline starts once the backlog and the window let the call
            // go: waiting for room is not the Temporal server being slow.
            await this.deps.backlog?.wait();
            await this.window.acquire();
            try {
              await this.deps.client.withDeadline(Date.now() + DELIVERY_DEADLINE_MS, () =>
                deliverEvent(this.deps, journeys, states.get(contactId)!, e),
              );
            } catch (err) {
              this.window.release(isOverload(err));
              await this.failed(e, events.slice(i + 1), err as Error);
              for (const later of events.slice(i)) open.delete(later.id);
              return;
            }
            this.window.release(false);
            done.push(e.id);
            this.stats.delivered++;
            dispatchedEvents.inc({ outcome: 'delivered' });
            dispatchLag.observe(Math.max(0, (Date.now() - e.received_at.getTime()) / 1000));
            if (done.length >= 100) await flush();
          }
        },
        { concurrency: this.deps.concurrency ?? 64 },
      );
      await flush();
      return rows.length;
    } finally {
      clearInterval(renewal);
    }
  }

  /** The event waits with exponential backoff; the contact's later events of this batch wait with it. */
  private async failed(e: OutboxEvent, later: OutboxEvent[], err: Error): Promise<void> {
    this.stats.failed++;
    dispatchedEvents.inc({ outcome: 'failed' });
    const wait = Math.min(2 ** Math.min(e.dispatch_attempts, 9), this.deps.maxBackoffSeconds);
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const message = redactEmails(`${err.name}: ${err.message ?? 'unknown error'}${cause}`.slice(0, 500));
    this.deps.log.warn(
      { eventId: e.id, attempt: e.dispatch_attempts, retryInSeconds: wait, ...errorFields(err) },
      'event dispatch failed; will retry',
    );
    await markFailed(this.deps.db, e.id, wait, message);
    await postpone(
      this.deps.db,
      later.map((l) => l.id),
      wait,
    );
  }

  /** Asks the loop to run now (e.g. right after an event was stored); see KICK_COALESCE_MS. */
  kick(): void {
    this.pending = true;
    this.kicks.kick();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.deps.backlog?.engage();
    this.loops = Array.from({ length: PIPELINE }, () => this.run());
  }

  /** Stops claiming; resolves once the batches in flight are done (each is bounded by the delivery deadline). */
  async stop(): Promise<void> {
    this.stopped = true;
    // Batches in flight finish without waiting for the workers (their events would otherwise wait out the lease).
    this.deps.backlog?.release();
    this.kicks.cancel();
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      this.pending = false;
      try {
        claimed = await this.dispatchBatch();
      } catch (err) {
        this.deps.log.warn(errorFields(err), 'dispatcher cannot reach the database; retrying');
      }
      if (this.stopped) break;
      if (claimed >= this.deps.batchSize) continue;
      // Kicked while the batch ran: claim again once the kick's events had time to gather.
      const waitMs = this.pending ? (this.deps.kickCoalesceMs ?? KICK_COALESCE_MS) : this.deps.pollMs;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, waitMs);
        this.wakers.add(wake);
      });
    }
  }
}
