// What the workspace shows about journeys: list figures and per-step counts.
// Each answer is a fixed handful of aggregate queries per journey (or one for
// the whole list), never one per step or per contact.
import type { Db } from '../lib/db';
import { journeyDefinitionSchema, type JourneyDefinition } from './schema';

const DAY_MS = 86_400_000;

export interface JourneyListItem {
  key: string;
  name: string;
  status: string;
  latestVersion: number | null;
  publishedAt: string | null;
  draftChanged: boolean;
  inFlight: number;
  last7: { entered: number; converted: number; exited: number };
  last30: { entered: number; converted: number; exited: number };
}

interface RunWindowRow {
  journey_key: string;
  in_flight: bigint;
  entered7: bigint;
  converted7: bigint;
  exited7: bigint;
  entered30: bigint;
  converted30: bigint;
  exited30: bigint;
}

/** Every journey with its status, version and run figures over 7 and 30 days. */
export async function listJourneys(db: Db, now = new Date()): Promise<JourneyListItem[]> {
  const d7 = new Date(now.getTime() - 7 * DAY_MS);
  const d30 = new Date(now.getTime() - 30 * DAY_MS);
  const [defs, runs] = await Promise.all([
    db.journeyDefinition.findMany({
      orderBy: { key: 'asc' },
      include: { versions: { orderBy: { version: 'desc' }, take: 1, select: { version: true, publishedAt: true, definition: true } } },
    }),
    // "exited" counts every run that ended without converting (completed, exited, failed).
    db.$queryRaw<RunWindowRow[]>`
      SELECT journey_key,
        count(*) FILTER (WHERE status = 'running') AS in_flight,
        count(*) FILTER (WHERE started_at >= ${d7}) AS entered7,
        count(*) FILTER (WHERE status = 'converted' AND ended_at >= ${d7}) AS converted7,
        count(*) FILTER (WHERE status IN ('exited', 'completed', 'failed') AND ended_at >= ${d7}) AS exited7,
        count(*) FILTER (WHERE started_at >= ${d30}) AS entered30,
        count(*) FILTER (WHERE status = 'converted' AND ended_at >= ${d30}) AS converted30,
        count(*) FILTER (WHERE status IN ('exited', 'completed', 'failed') AND ended_at >= ${d30}) AS exited30
      FROM journey_runs
      WHERE status = 'running' OR started_at >= ${d30} OR ended_at >= ${d30}
      GROUP BY journey_key`,
  ]);
  const byKey = new Map(runs.map((r) => [r.journey_key, r]));
  return defs.map((d) => {
    const r = byKey.get(d.key);
    const v = d.versions[0];
    return {
      key: d.key,
      name: d.name,
      status: d.status,
      latestVersion: v?.version ?? null,
      publishedAt: v?.publishedAt.toISOString() ?? null,
      draftChanged: v ? JSON.stringify(v.definition) !== JSON.stringify(d.draft) : true,
      inFlight: Number(r?.in_flight ?? 0),
      last7: { entered: Number(r?.entered7 ?? 0), converted: Number(r?.converted7 ?? 0), exited: Number(r?.exited7 ?? 0) },
      last30: { entered: Number(r?.entered30 ?? 0), converted: Number(r?.converted30 ?? 0), exited: Number(r?.exited30 ?? 0) },
    };
  });
}

export interface StepCounts {
  /** Runs sitting at this step now (all versions). */
  now: number;
  /** Runs that finished this step, by outcome (branch labels, variant_x, sent, waited...). */
  outcomes: Record<string, number>;
  passed: number;
  email?: { sends: number; sent: number; opened: number; clicked: number };
}

export interface JourneyStats {
  key: string;
  /** Runs in flight, and how many sit on each published version. */
  inFlight: number;
  byVersion: Record<string, number>;
  /** Runs waiting before their first step (e.g. for a trigger date). */
  notStarted: number;
  steps: Record<string, StepCounts>;
  /** How runs ended: completed, converted, exited, failed. */
  endings: Record<string, number>;
  at: string;
}

/** Per-step counts for a journey: three aggregate queries, whatever its size. */
export async function journeyStats(db: Db, key: string, now = new Date()): Promise<JourneyStats> {
  const [here, logs, sends] = await Promise.all([
    db.$queryRaw<{ current_step: string | null; journey_version: number; n: bigint }[]>`
      SELECT current_step, journey_version, count(*) AS n FROM journey_runs
      WHERE journey_key = ${key} AND status = 'running' GROUP BY current_step, journey_version`,
    db.$queryRaw<{ step_id: string; outcome: string; n: bigint }[]>`
      SELECT step_id, outcome, count(*) AS n FROM journey_step_logs
      WHERE journey_key = ${key} GROUP BY step_id, outcome`,
    db.$queryRaw<{ step_id: string; sends: bigint; sent: bigint; opened: bigint; clicked: bigint }[]>`
      SELECT step_id, count(*) AS sends,
        count(*) FILTER (WHERE status = 'sent') AS sent,
        count(*) FILTER (WHERE opens > 0) AS opened,
        count(*) FILTER (WHERE clicks > 0) AS clicked
      FROM message_sends WHERE journey_key = ${key} AND step_id IS NOT NULL GROUP BY step_id`,
  ]);
  const steps: Record<string, StepCounts> = {};
  const step = (id: string) => (steps[id] ??= { now: 0, outcomes: {}, passed: 0 });
  const byVersion: Record<string, number> = {};
  let inFlight = 0;
  let notStarted = 0;
  for (const r of here) {
    const n = Number(r.n);
    inFlight += n;
    byVersion[r.journey_version] = (byVersion[r.journey_version] ?? 0) + n;
    if (r.current_step === null) notStarted += n;
    else step(r.current_step).now += n;
  }
  const endings: Record<string, number> = {};
  for (const r of logs) {
    const n = Number(r.n);
    if (r.step_id === '(end)') {
      endings[r.outcome] = (endings[r.outcome] ?? 0) + n;
      continue;
    }
    const s = step(r.step_id);
    s.outcomes[r.outcome] = (s.outcomes[r.outcome] ?? 0) + n;
    s.passed += n;
  }
  for (const r of sends) {
    step(r.step_id).email = { sends: Number(r.sends), sent: Number(r.sent), opened: Number(r.opened), clicked: Number(r.clicked) };
  }
  return { key, inFlight, byVersion, notStarted, steps, endings, at: now.toISOString() };
}

export interface WaitingContact {
  contactId: string;
  email: string | null;
  name: string | null;
  version: number;
  since: string;
  workflowId: string;
  nextWakeAt: string | null;
}

/**
 * Contacts sitting at a step now (oldest first, at most `limit`), with their next
 * wake-up as the running workflow reports it (`wakeOf`, e.g. a Temporal query).
 */
export async function waitingAt(
  deps: { db: Db; wakeOf?: (workflowId: string) => Promise<string | null> },
  key: string,
  stepId: string,
  limit = 50,
): Promise<{ total: number; contacts: WaitingContact[] }> {
  const where = { journeyKey: key, status: 'running', currentStep: stepId };
  const [total, runs] = await Promise.all([
    deps.db.journeyRun.count({ where }),
    deps.db.journeyRun.findMany({
      where,
      orderBy: { startedAt: 'asc' },
      take: limit,
      include: { contact: { select: { email: true, firstName: true, lastName: true, deletedAt: true } } },
    }),
  ]);
  const wakes = await Promise.all(runs.map((r) => (deps.wakeOf ? deps.wakeOf(r.workflowId).catch(() => null) : Promise.resolve(null))));
  return {
    total,
    contacts: runs.map((r, i) => ({
      contactId: r.contactId,
      email: r.contact.deletedAt ? null : r.contact.email,
      name: r.contact.deletedAt ? null : [r.contact.firstName, r.contact.lastName].filter(Boolean).join(' ') || null,
      version: r.journeyVersion,
      since: r.startedAt.toISOString(),
      workflowId: r.workflowId,
      nextWakeAt: wakes[i] ?? null,
    })),
  };
}

export interface PublishPreview {
  key: string;
  liveVersion: number | null;
  live: JourneyDefinition | null;
  draft: unknown;
  /** Runs at a step the draft no longer has: they finish on the version they started on. */
  stranded: { step: string; version: number; contacts: number }[];
  inFlight: number;
}

/** What publishing the draft would change: the live definition to diff against, and runs in flight. */
export async function publishPreview(db: Db, key: string): Promise<PublishPreview | null> {
  const j = await db.journeyDefinition.findUnique({
    where: { key },
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  if (!j) return null;
  const v = j.versions[0];
  const live = v ? journeyDefinitionSchema.parse(v.definition) : null;
  const draftSteps = new Set(
    typeof j.draft === 'object' && j.draft !== null && 'steps' in j.draft && Array.isArray(j.draft.steps)
      ? j.draft.steps.flatMap((s) => (typeof s === 'object' && s !== null && 'id' in s && typeof s.id === 'string' ? [s.id] : []))
      : [],
  );
  const groups = await db.journeyRun.groupBy({
    by: ['journeyVersion', 'currentStep'],
    where: { journeyKey: key, status: 'running' },
    _count: true,
  });
  return {
    key,
    liveVersion: v?.version ?? null,
    live,
    draft: j.draft,
    inFlight: groups.reduce((a, g) => a + g._count, 0),
    stranded: groups
      .filter((g) => g.currentStep !== null && !draftSteps.has(g.currentStep))
      .map((g) => ({ step: g.currentStep!, version: g.journeyVersion, contacts: g._count })),
  };
}
