// Newsletter use cases behind /v1/newsletters: start a broadcast (one
// workflow, now or at `sendAt`), list them, read one's progress (live from the
// workflow while it runs, else from the recipient table), and pause, resume or
// cancel it.
//
// A newsletter sent at a time is a workflow started with Temporal's start delay:
// no workflow code runs before then (so nothing of the broadcast's workflow
// changed), and its row says `scheduled`. Signals to a delayed workflow wait for
// its start, so cancelling before it terminates the run instead (nothing has
// happened yet: no snapshot, no send) and marks the row `cancelled`.
// Routes call these with their dependencies; errors are NewsletterError, which
// the route turns into HTTP answers.
import { randomUUID } from 'node:crypto';
import type { Broadcast, Prisma } from '@prisma/client';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../lib/db';
import { DomainError, type ErrorDetail } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { safeString } from '../lib/zod-strings';
import { segmentKeySchema } from '../segments/service';
import {
  broadcastProgressQuery,
  broadcastWorkflowId,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  resumeBroadcastSignal,
  type BroadcastCounts,
} from './broadcast-contract';
import { domainLimitsSchema } from './domain-limits';
import { broadcastCounts } from './recipients';

/** How far ahead a newsletter may be scheduled. */
export const MAX_SEND_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

/** The body of POST /v1/newsletters. */
export const newsletterBodySchema = z.strictObject({
  name: safeString().trim().min(1).max(200),
  template: safeString().min(1).max(200).describe('Template key (category newsletter)'),
  segment: segmentKeySchema.describe('Key of a saved segment'),
  ratePerMinute: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(600)
    .describe('At most this many messages a minute (a token bucket; bursts of about 5 s of the rate)'),
  domainRatePerMinute: domainLimitsSchema
    .default({})
    .describe('Per recipient domain, at most this many a minute, counted across every broadcast sending then'),
  reengagementTemplate: safeString()
    .min(1)
    .max(200)
    .default('newsletter-reengage')
    .describe('Sent instead to never-clickers for whom this is the 5th unclicked newsletter in a row'),
  sendAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-12-24T09:00:00Z' })
    .refine((s) => Date.parse(s) > Date.now(), { message: 'must be in the future' })
    .refine((s) => Date.parse(s) <= Date.now() + MAX_SEND_AHEAD_MS, { message: 'must be within a year from now' })
    .optional()
    .describe('Start sending at this time (ISO-8601 with a time zone, in the future, within a year); absent: now'),
});
export type NewsletterBody = z.infer<typeof newsletterBodySchema>;

const KIND_OF_STATUS = { 400: 'invalid', 404: 'not_found', 409: 'conflict', 503: 'unavailable' } as const;

export class NewsletterError extends DomainError {
  constructor(
    readonly status: keyof typeof KIND_OF_STATUS,
    code: string,
    message: string,
    details: ErrorDetail[] = [],
  ) {
    super(KIND_OF_STATUS[status], code, message, details);
  }
}

export interface NewsletterDeps {
  db: Db;
  log: Logger;
  temporal?: Client;
  taskQueue?: string;
}

const RUNNING = new Set(['starting', 'scheduled', 'snapshotting', 'sending', 'paused']);
const QUERY_TIMEOUT_MS = 3000;

export function newsletterView(b: Broadcast, progress: BroadcastCounts & { status: string }, live: boolean) {
  return {
    id: b.id,
    name: b.name,
    template: b.templateKey,
    reengagementTemplate: b.reengagementTemplate,
    segment: b.segmentKey,
    ratePerMinute: b.ratePerMinute,
    domainRatePerMinute: domainLimitsSchema.catch({}).parse(b.domainRatePerMinute),
    workflowId: b.workflowId,
    status: progress.status,
    /** When a scheduled newsletter starts (null: sent at once). */
    sendAt: b.sendAt,
    progress: {
      audience: b.snapshotAt ? progress.audience : null,
      sent: progress.sent,
      failed: progress.failed,
      suppressed: progress.suppressed,
      skipped: progress.skipped,
      remaining: progress.remaining,
    },
    /** true: counts answered by the running workflow; false: read from the recipient table. */
    live,
    createdAt: b.createdAt,
    finishedAt: b.finishedAt,
  };
}
export type NewsletterView = ReturnType<typeof newsletterView>;

function temporalOf(deps: NewsletterDeps): { client: Client; taskQueue: string } {
  if (!deps.temporal || !deps.taskQueue) throw new NewsletterError(503, 'temporal_unavailable', 'this server has no Temporal client');
  return { client: deps.temporal, taskQueue: deps.taskQueue };
}

async function load(deps: NewsletterDeps, id: string): Promise<Broadcast> {
  const b = await deps.db.broadcast.findUnique({ where: { id } });
  if (!b) throw new NewsletterError(404, 'newsletter_not_found', 'no such newsletter');
  return b;
}

/** Validates the segment and templates, records the broadcast and starts its workflow. */
export async function startNewsletter(deps: NewsletterDeps, body: NewsletterBody): Promise<NewsletterView> {
  const { db } = deps;
  const { client, taskQueue } = temporalOf(deps);
  const segment = await db.segment.findUnique({ where: { key: body.segment } });
  if (!segment)
    throw new NewsletterError(400, 'validation_failed', `no segment "${body.segment}"`, [
      { path: 'segment', message: `unknown segment "${body.segment}"` },
    ]);
  for (const [path, key] of [
    ['template', body.template],
    ['reengagementTemplate', body.reengagementTemplate],
  ] as const) {
    const t = await db.template.findUnique({ where: { key }, select: { category: true } });
    if (!t)
      throw new NewsletterError(400, 'validation_failed', `${path}: unknown template "${key}"`, [
        { path, message: `unknown template "${key}"` },
      ]);
    if (t.category !== 'newsletter') {
      throw new NewsletterError(400, 'validation_failed', `${path}: template "${key}" is not a newsletter`, [
        { path, message: `template "${key}" has category "${t.category}", not "newsletter"` },
      ]);
    }
  }
  const id = randomUUID();
  const workflowId = broadcastWorkflowId(id);
  const sendAt = body.sendAt ? new Date(body.sendAt) : null;
  await db.broadcast.create({
    data: {
      id,
      name: body.name,
      templateKey: body.template,
      reengagementTemplate: body.reengagementTemplate,
      segmentKey: segment.key,
      condition: segment.condition as Prisma.InputJsonValue,
      ratePerMinute: body.ratePerMinute,
      domainRatePerMinute: body.domainRatePerMinute,
      workflowId,
      sendAt,
    },
  });
  try {
    // By name: the workflow's input is { broadcastId, ratePerMinute } (workflows/broadcast.ts).
    await client.workflow.start('broadcastWorkflow', {
      workflowId,
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: body.ratePerMinute }],
      // Measured now, after the checks above: the run starts at sendAt, not later by their time.
      ...(sendAt ? { startDelay: Math.max(1, sendAt.getTime() - Date.now()) } : {}),
    });
  } catch (err) {
    await db.broadcast.update({ where: { id }, data: { status: 'failed', finishedAt: new Date() } });
    deps.log.error({ err: (err as Error).message, broadcastId: id }, 'broadcast did not start');
    throw new NewsletterError(503, 'temporal_unavailable', 'the broadcast could not be started; try again');
  }
  await db.broadcast.updateMany({ where: { id, status: 'starting' }, data: { status: sendAt ? 'scheduled' : 'snapshotting' } });
  const started = await db.broadcast.findUniqueOrThrow({ where: { id } });
  return newsletterView(
    started,
    { status: started.status, audience: 0, sent: 0, failed: 0, suppressed: 0, skipped: 0, remaining: 0 },
    false,
  );
}

/** The 100 most recent, with counts from the recipient table. */
export async function listNewsletters(deps: NewsletterDeps): Promise<NewsletterView[]> {
  const rows = await deps.db.broadcast.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
  const out: NewsletterView[] = [];
  for (const b of rows) out.push(newsletterView(b, { status: b.status, ...(await broadcastCounts(deps.db, b.id)) }, false));
  return out;
}

/** One newsletter: live counts from its workflow while it runs, else the recipient table's. */
export async function newsletterProgress(deps: NewsletterDeps, id: string): Promise<NewsletterView> {
  const b = await load(deps, id);
  // A scheduled run has no workflow task yet to answer a query: the table is the truth.
  if (RUNNING.has(b.status) && b.status !== 'scheduled' && deps.temporal) {
    try {
      const handle = deps.temporal.workflow.getHandle(b.workflowId);
      let timer: NodeJS.Timeout | undefined;
      const live = await Promise.race([
        handle.query(broadcastProgressQuery),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('query timed out')), QUERY_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      return newsletterView(b, live, true);
    } catch {
      // No worker answering, or the run just ended: the table is the truth.
    }
  }
  return newsletterView(b, { status: b.status, ...(await broadcastCounts(deps.db, b.id)) }, false);
}

export type NewsletterAction = 'pause' | 'resume' | 'cancel';
const SIGNALS = { pause: pauseBroadcastSignal, resume: resumeBroadcastSignal, cancel: cancelBroadcastSignal } as const;

/** Below this much time before its start, a scheduled newsletter is cancelled by signal, as a running one. */
const START_MARGIN_MS = 2000;

/**
 * Pauses, resumes or cancels a running newsletter (a signal; seen between chunks).
 * A scheduled one can only be cancelled before its start: its run is terminated
 * before any of its code ran, so nothing was snapshotted or sent.
 */
export async function controlNewsletter(deps: NewsletterDeps, id: string, action: NewsletterAction): Promise<void> {
  const b = await load(deps, id);
  if (!RUNNING.has(b.status)) throw new NewsletterError(409, 'newsletter_finished', `the newsletter is ${b.status}`);
  const { client } = temporalOf(deps);
  if (b.status === 'scheduled' && b.sendAt && b.sendAt.getTime() - Date.now() > START_MARGIN_MS) {
    if (action !== 'cancel')
      throw new NewsletterError(
        409,
        'newsletter_scheduled',
        `the newsletter starts at ${b.sendAt.toISOString()}: cancel it, or ${action} it once it runs`,
      );
    try {
      await client.workflow.getHandle(b.workflowId).terminate('newsletter cancelled before its start');
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, broadcastId: b.id }, 'scheduled broadcast could not be terminated');
      throw new NewsletterError(409, 'newsletter_finished', 'the newsletter is no longer scheduled');
    }
    await deps.db.broadcast.updateMany({ where: { id: b.id, status: 'scheduled' }, data: { status: 'cancelled', finishedAt: new Date() } });
    return;
  }
  try {
    await client.workflow.getHandle(b.workflowId).signal(SIGNALS[action]);
  } catch {
    throw new NewsletterError(409, 'newsletter_finished', 'the newsletter is no longer running');
  }
}
