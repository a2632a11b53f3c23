// Prometheus metrics of this process, one registry, names prefixed `rapport_`.
// Shared definitions only: domain code increments them; the server's /metrics
// route and the worker's metrics port (entry points) expose them. Labels take
// a small fixed set of values (route patterns, outcomes), never ids from URLs,
// tokens or addresses. docs/operations.md lists them with alert suggestions.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'rapport_' });

export const httpRequestDuration = new Histogram({
  name: 'rapport_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status, from arrival to the response sent',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const eventsAccepted = new Counter({
  name: 'rapport_events_accepted_total',
  help: 'Events stored (committed) by POST /v1/events and webhooks',
  labelNames: ['endpoint'] as const,
  registers: [registry],
});

export const eventsRefused = new Counter({
  name: 'rapport_events_refused_total',
  help: 'Event requests not stored, by reason: invalid (4xx on the body), unauthorized, overloaded (429 admission), unavailable (503), error (500); partial: a batch with some events refused',
  labelNames: ['endpoint', 'reason'] as const,
  registers: [registry],
});

export const dispatchedEvents = new Counter({
  name: 'rapport_dispatch_events_total',
  help: 'Events the dispatcher handed to Temporal (delivered) or put back with backoff (failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const dispatchBacklogWait = new Counter({
  name: 'rapport_dispatch_backlog_wait_seconds_total',
  help: "Time deliveries waited because the journeys task queue's workflow task backlog was over DISPATCH_MAX_TASK_BACKLOG",
  registers: [registry],
});

export const workflowTaskBacklog = new Gauge({
  name: 'rapport_temporal_workflow_task_backlog',
  help: "The journeys task queue's workflow task backlog, as the dispatcher last read it from Temporal (approximate)",
  registers: [registry],
});

export const dispatchLag = new Histogram({
  name: 'rapport_dispatch_lag_seconds',
  help: 'From an event stored to it delivered to Temporal',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  registers: [registry],
});

export const emailSends = new Counter({
  name: 'rapport_email_sends_total',
  help: 'Email send decisions by kind (journey, newsletter) and outcome (sent, suppressed, deferred, failed, bounced, indeterminate, skipped, retry)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

export const activityRetries = new Counter({
  name: 'rapport_activity_retries_total',
  help: 'Activity attempts after the first, by activity type: the previous attempt failed, or timed out (its worker stopped heartbeating or took longer than allowed)',
  labelNames: ['activity'] as const,
  registers: [registry],
});

export const broadcastChunks = new Counter({
  name: 'rapport_broadcast_chunks_total',
  help: 'Newsletter broadcast chunks run, by outcome (ok, error)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** What a scrape-time gauge reads; several sources (servers in one test process) add up. */
type Source<T> = () => Promise<T>;

function scrapeGauge<T>(opts: {
  name: string;
  help: string;
  labelNames?: readonly string[];
  read: (values: T[], set: (labels: Record<string, string>, v: number) => void) => void;
}) {
  const sources = new Set<Source<T>>();
  const gauge: Gauge<string> = new Gauge({
    name: opts.name,
    help: opts.help,
    labelNames: opts.labelNames ?? [],
    registers: [registry],
    async collect() {
      gauge.reset();
      // A source that cannot be read (database away) is left out of this scrape.
      const values = (
        await Promise.all(
          [...sources].map((s) =>
            s().then(
              (v): [T] => [v],
              () => [] as T[],
            ),
          ),
        )
      ).flat();
      opts.read(values, (labels, v) => gauge.set(labels, v));
    },
  });
  return {
    /** Adds a source; returns its removal. */
    add(source: Source<T>): () => void {
      sources.add(source);
      return () => sources.delete(source);
    },
  };
}

export interface BacklogReading {
  undispatched: number;
  oldestAgeSeconds: number;
}

/** Undispatched events and the age of the oldest, read from PostgreSQL at scrape time (one query). */
export const backlogSource = {
  count: scrapeGauge<BacklogReading>({
    name: 'rapport_dispatch_backlog_events',
    help: 'Stored events not yet delivered to Temporal (whole database, read at scrape time: every server reports the same figure)',
    read: (vs, set) => set({}, Math.max(0, ...vs.map((v) => v.undispatched))),
  }),
  age: scrapeGauge<BacklogReading>({
    name: 'rapport_dispatch_oldest_undispatched_age_seconds',
    help: 'Age of the oldest stored event not yet delivered to Temporal (0 when none)',
    read: (vs, set) => set({}, Math.max(0, ...vs.map((v) => v.oldestAgeSeconds))),
  }),
};

export interface BroadcastReading {
  broadcastId: string;
  status: string;
  count: number;
}

/** Recipients of broadcasts that are sending or paused, by recipient status, read at scrape time. */
export const broadcastProgress = scrapeGauge<BroadcastReading[]>({
  name: 'rapport_broadcast_recipients',
  help: 'Recipients of active (sending or paused) newsletter broadcasts by status (pending, sent, suppressed, failed, skipped)',
  labelNames: ['broadcast_id', 'status'],
  read: (vs, set) => {
    for (const r of vs.flat()) set({ broadcast_id: r.broadcastId, status: r.status }, r.count);
  },
});

/** The text of every metric of this process, plus `extra` (e.g. the Temporal SDK's own, in the same format). */
export async function metricsText(extra?: () => Promise<string>): Promise<string> {
  const own = await registry.metrics();
  const more = extra ? await extra().catch(() => '') : '';
  return more ? `${own}\n${more}` : own;
}
