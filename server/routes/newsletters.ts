// /v1/newsletters: send one template to a segment's newsletter subscribers as
// one broadcast workflow; watch its progress; pause, resume or cancel it.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Broadcast, Prisma } from '@prisma/client';
import { z } from 'zod';
import { broadcastCounts, type BroadcastCounts } from '../../activities/broadcast';
import { segmentKeySchema } from '../../segments/service';
import {
  broadcastProgressQuery,
  broadcastWorkflowId,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  resumeBroadcastSignal,
  type BroadcastInput,
} from '../../workflows/broadcast';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';

/** The body of POST /v1/newsletters. */
export const newsletterBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  template: z.string().min(1).max(200).describe('Template key (category newsletter)'),
  segment: segmentKeySchema.describe('Key of a saved segment'),
  ratePerMinute: z.number().int().min(1).max(100_000).default(600),
  reengagementTemplate: z.string().min(1).max(200).default('newsletter-reengage')
    .describe('Sent instead to never-clickers for whom this is the 5th unclicked newsletter in a row'),
});

const RUNNING = new Set(['starting', 'snapshotting', 'sending', 'paused']);
const QUERY_TIMEOUT_MS = 3000;

function view(b: Broadcast, progress: BroadcastCounts & { status: string }, live: boolean) {
  return {
    id: b.id,
    name: b.name,
    template: b.templateKey,
    reengagementTemplate: b.reengagementTemplate,
    segment: b.segmentKey,
    ratePerMinute: b.ratePerMinute,
    workflowId: b.workflowId,
    status: progress.status,
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

export function newslettersRouter(deps: ServerDeps): Router {
  const r = Router();
  const { db } = deps;

  function temporal() {
    if (!deps.temporal || !deps.taskQueue) throw new HttpError(503, 'temporal_unavailable', 'this server has no Temporal client');
    return deps.temporal;
  }

  async function load(idText: string): Promise<Broadcast> {
    const id = parseOr400(z.uuid(), idText, 'id');
    const b = await db.broadcast.findUnique({ where: { id } });
    if (!b) throw new HttpError(404, 'newsletter_not_found', 'no such newsletter');
    return b;
  }

  async function progressOf(b: Broadcast) {
    if (RUNNING.has(b.status) && deps.temporal) {
      try {
        const handle = deps.temporal.workflow.getHandle(b.workflowId);
        const live = await Promise.race([
          handle.query(broadcastProgressQuery),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('query timed out')), QUERY_TIMEOUT_MS).unref()),
        ]);
        return view(b, live, true);
      } catch {
        // No worker answering, or the run just ended: the table is the truth.
      }
    }
    return view(b, { status: b.status, ...(await broadcastCounts(db, b.id)) }, false);
  }

  r.post('/newsletters', async (req, res) => {
    const body = parseOr400(newsletterBodySchema, req.body);
    const client = temporal();
    const segment = await db.segment.findUnique({ where: { key: body.segment } });
    if (!segment) throw new HttpError(400, 'validation_failed', `no segment "${body.segment}"`, [{ path: 'segment', message: `unknown segment "${body.segment}"` }]);
    for (const [path, key] of [['template', body.template], ['reengagementTemplate', body.reengagementTemplate]] as const) {
      const t = await db.template.findUnique({ where: { key }, select: { category: true } });
      if (!t) throw new HttpError(400, 'validation_failed', `${path}: unknown template "${key}"`, [{ path, message: `unknown template "${key}"` }]);
      if (t.category !== 'newsletter') {
        throw new HttpError(400, 'validation_failed', `${path}: template "${key}" is not a newsletter`, [{ path, message: `template "${key}" has category "${t.category}", not "newsletter"` }]);
      }
    }
    const id = randomUUID();
    const workflowId = broadcastWorkflowId(id);
    const b = await db.broadcast.create({
      data: {
        id,
        name: body.name,
        templateKey: body.template,
        reengagementTemplate: body.reengagementTemplate,
        segmentKey: segment.key,
        condition: segment.condition as Prisma.InputJsonValue,
        ratePerMinute: body.ratePerMinute,
        workflowId,
      },
    });
    const input: BroadcastInput = { broadcastId: id, ratePerMinute: body.ratePerMinute };
    try {
      await client.workflow.start('broadcastWorkflow', { workflowId, taskQueue: deps.taskQueue!, args: [input] });
    } catch (err) {
      await db.broadcast.update({ where: { id }, data: { status: 'failed', finishedAt: new Date() } });
      deps.log.error({ err: (err as Error).message, broadcastId: id }, 'broadcast did not start');
      throw new HttpError(503, 'temporal_unavailable', 'the broadcast could not be started; try again');
    }
    await db.broadcast.updateMany({ where: { id: b.id, status: 'starting' }, data: { status: 'snapshotting' } });
    const started = await db.broadcast.findUniqueOrThrow({ where: { id: b.id } });
    res.status(202).json({ newsletter: view(started, { status: started.status, audience: 0, sent: 0, failed: 0, suppressed: 0, skipped: 0, remaining: 0 }, false) });
  });

  r.get('/newsletters', async (_req, res) => {
    const rows = await db.broadcast.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
    const out = [];
    for (const b of rows) out.push(view(b, { status: b.status, ...(await broadcastCounts(db, b.id)) }, false));
    res.json({ newsletters: out });
  });

  r.get('/newsletters/:id', async (req, res) => {
    res.json({ newsletter: await progressOf(await load(req.params.id)) });
  });

  const actions = { pause: pauseBroadcastSignal, resume: resumeBroadcastSignal, cancel: cancelBroadcastSignal } as const;
  for (const [action, signal] of Object.entries(actions)) {
    r.post(`/newsletters/:id/${action}`, async (req, res) => {
      const b = await load(req.params.id);
      if (!RUNNING.has(b.status)) throw new HttpError(409, 'newsletter_finished', `the newsletter is ${b.status}`);
      try {
        await temporal().workflow.getHandle(b.workflowId).signal(signal);
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(409, 'newsletter_finished', 'the newsletter is no longer running');
      }
      res.status(202).json({ id: b.id, requested: action });
    });
  }

  return r;
}
