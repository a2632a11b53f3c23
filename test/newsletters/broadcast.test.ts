// Newsletter broadcasts on the time-skipping test server, with the real
// activities (PostgreSQL, SMTP sink): one workflow per broadcast, batches at a
// rate, the re-engagement variant, the exact newsletter counter, pause / resume
// / cancel, and a worker that stops mid-broadcast without anyone being mailed
// twice or skipped.
import { randomUUID } from 'node:crypto';
import type { Contact, Prisma } from '@prisma/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBroadcastActivities } from '../../activities/broadcast';
import { createDb } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { NEWSLETTER_SENT_EVENT } from '../../newsletters/counter';
import { recordHistory } from '../support/histories';
import {
  broadcastProgressQuery,
  broadcastWorkflowId,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  resumeBroadcastSignal,
  type BroadcastInput,
} from '../../workflows/broadcast';
import { journeyFixture, type JourneyFixture } from '../support/fixtures';
import { TEST_LINK_SECRET } from '../support/env';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;
let fx: JourneyFixture;
let seq = 0;

beforeAll(async () => {
  [env, fx] = await Promise.all([createTimeSkippingEnv(), journeyFixture('nl_broadcast')]);
});
afterAll(async () => {
  await env?.teardown();
  await fx?.close();
});

const db = () => fx.tdb.db;

/** Contacts tagged `tag`: `n` subscribed, plus one of each kind that must not get the newsletter. */
async function audience(tag: string, n: number, extra: Partial<Prisma.ContactCreateInput> = {}) {
  const subscribed: Contact[] = [];
  for (let i = 0; i < n; i++) {
    subscribed.push(
      await db().contact.create({
        data: { email: `${tag}-${i}@example.com`, firstName: `R${i}`, tags: [tag], subscriptions: { newsletter: 'subscribed' }, ...extra },
      }),
    );
  }
  for (const [name, subscriptions, more] of [
    ['unsub', { newsletter: 'unsubscribed' }, {}],
    ['pending', { newsletter: 'pending' }, {}],
    ['sunset', { newsletter: 'sunset' }, {}],
    ['allout', { newsletter: 'subscribed', '*': 'unsubscribed' }, {}],
    ['deleted', { newsletter: 'subscribed' }, { deletedAt: new Date() }],
  ] as const) {
    await db().contact.create({ data: { email: `${tag}-${name}@example.com`, tags: [tag], subscriptions, ...more } });
  }
  await db().contact.create({ data: { email: `${tag}-other@example.com`, tags: ['other'], subscriptions: { newsletter: 'subscribed' } } });
  return subscribed;
}

async function broadcast(tag: string, ratePerMinute: number, templateKey = 'newsletter') {
  const id = randomUUID();
  await db().segment.upsert({
    where: { key: tag },
    create: { key: tag, name: tag, condition: { field: 'tags', op: 'contains', value: tag } },
    update: {},
  });
  await db().broadcast.create({
    data: {
      id,
      name: `Issue ${++seq}`,
      templateKey,
      reengagementTemplate: 'newsletter-reengage',
      segmentKey: tag,
      condition: { field: 'tags', op: 'contains', value: tag },
      ratePerMinute,
      workflowId: broadcastWorkflowId(id),
      status: 'snapshotting',
    },
  });
  return id;
}

async function newWorker(taskQueue: string, opts: { sticky?: boolean } = {}) {
  // A graceful stop (SIGTERM) lets the batch in flight finish. Without a workflow
  // cache, no task waits on the sticky queue of a stopped worker (the test server
  // does not time those out as a real cluster does).
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: fx.activities,
    shutdownGraceTime: '30s',
    ...(opts.sticky === false ? { maxCachedWorkflows: 0 } : {}),
  });
  return { worker, running: worker.run() };
}

const mailsTo = (email: string) => fx.sink.messages.filter((m) => m.envelopeTo.includes(email));

describe('newsletter broadcasts', () => {
  it('send once to each subscribed member of the segment, in chunks at the rate, counting each newsletter', async () => {
    const people = await audience('rate', 12);
    const id = await broadcast('rate', 60);
    const taskQueue = 'nl-rate';
    const { worker, running } = await newWorker(taskQueue);
    const startedAt = await env.currentTimeMs();
    const input: BroadcastInput = { broadcastId: id, ratePerMinute: 60, batchSize: 5 };
    const result = await env.client.workflow.execute('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [input],
    });
    worker.shutdown();
    await running;

    expect(result).toEqual({ status: 'completed', audience: 12, sent: 12, failed: 0, suppressed: 0, skipped: 0, remaining: 0 });
    for (const p of people) expect(mailsTo(p.email), p.email).toHaveLength(1);
    for (const name of ['unsub', 'pending', 'sunset', 'allout', 'deleted', 'other'])
      expect(mailsTo(`rate-${name}@example.com`), name).toHaveLength(0);
    expect(mailsTo(people[0]!.email)[0]!.parsed.subject).toBe('R0, what is new at Rapport');

    // 12 at 60 a minute in chunks of 5 (one lane): a burst of 5, then the bucket refills at 1 a second: 7 s at least.
    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(7_000);
    const sends = await db().messageSend.findMany({ where: { workflowId: broadcastWorkflowId(id) }, orderBy: { sentAt: 'asc' } });
    expect(sends).toHaveLength(12);
    // The last chunk could not start before the bucket had refilled: 7 s after the start, on the workflow's clock.
    expect(sends.at(-1)!.sentAt!.getTime() - startedAt).toBeGreaterThanOrEqual(7_000);

    const rows = await db().broadcastRecipient.findMany({ where: { broadcastId: id } });
    expect(rows.map((r) => [r.status, r.variant])).toEqual(Array(12).fill(['sent', 'regular']));
    const b = await db().broadcast.findUniqueOrThrow({ where: { id } });
    expect([b.status, b.audienceSize, b.finishedAt !== null]).toEqual(['completed', 12, true]);

    // The counter moved once per newsletter, with a newsletter_sent event each.
    const counters = await db().contact.findMany({
      where: { id: { in: people.map((p) => p.id) } },
      select: { newslettersSinceLastClick: true },
    });
    expect(counters.map((c) => c.newslettersSinceLastClick)).toEqual(Array(12).fill(1));
    const events = await db().event.findMany({ where: { type: NEWSLETTER_SENT_EVENT, contactId: { in: people.map((p) => p.id) } } });
    expect(events).toHaveLength(12);
    expect(events[0]!.properties).toMatchObject({ broadcastId: id, variant: 'regular', count: 1, template: 'newsletter' });
  });

  it('sends the re-engagement variant as the fifth unclicked newsletter of a never-clicker', async () => {
    const [never, clicker, fresh] = await audience('reng', 3);
    await db().contact.update({ where: { id: never!.id }, data: { newslettersSinceLastClick: 4 } });
    await db().contact.update({ where: { id: clicker!.id }, data: { newslettersSinceLastClick: 4, lastClickAt: new Date('2026-01-01') } });
    const id = await broadcast('reng', 600);
    const taskQueue = 'nl-reng';
    const { worker, running } = await newWorker(taskQueue);
    await env.client.workflow.execute('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: 600 }],
    });
    worker.shutdown();
    await running;

    expect(mailsTo(never!.email).map((m) => m.parsed.subject)).toEqual(['R0, still want to hear from us?']);
    expect(mailsTo(clicker!.email).map((m) => m.parsed.subject)).toEqual(['R1, what is new at Rapport']);
    expect(mailsTo(fresh!.email).map((m) => m.parsed.subject)).toEqual(['R2, what is new at Rapport']);
    const rows = await db().broadcastRecipient.findMany({
      where: { broadcastId: id },
      include: { contact: { select: { email: true, newslettersSinceLastClick: true } } },
    });
    const byEmail = Object.fromEntries(rows.map((r) => [r.contact.email, [r.variant, r.contact.newslettersSinceLastClick]]));
    expect(byEmail).toEqual({ [never!.email]: ['reengagement', 5], [clicker!.email]: ['regular', 5], [fresh!.email]: ['regular', 1] });
    const ev = await db().event.findFirstOrThrow({ where: { type: NEWSLETTER_SENT_EVENT, contactId: never!.id } });
    expect(ev.properties).toMatchObject({ broadcastId: id, variant: 'reengagement', count: 5, template: 'newsletter-reengage' });
  });

  it('answers progress while it runs, and pauses, resumes and cancels', async () => {
    await audience('ctl', 6);
    const id = await broadcast('ctl', 6);
    const taskQueue = 'nl-ctl';
    const { worker, running } = await newWorker(taskQueue);
    // One a batch at 6 a minute: 10 s between sends (real time while nobody awaits the result).
    const handle = await env.client.workflow.start('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: 6, batchSize: 1 }],
    });
    const first = await vi.waitFor(
      async () => {
        const p = await handle.query(broadcastProgressQuery);
        expect(p.sent).toBe(1);
        return p;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(first).toMatchObject({ status: 'sending', audience: 6, remaining: 5 });

    await handle.signal(pauseBroadcastSignal);
    await vi.waitFor(async () => expect((await db().broadcast.findUniqueOrThrow({ where: { id } })).status).toBe('paused'), {
      timeout: 10_000,
      interval: 100,
    });
    expect((await handle.query(broadcastProgressQuery)).status).toBe('paused');
    await env.sleep(10 * 60_000); // ten minutes later, still paused: nothing more went out
    expect(await handle.query(broadcastProgressQuery)).toMatchObject({ status: 'paused', sent: 1, remaining: 5 });

    await handle.signal(resumeBroadcastSignal);
    await vi.waitFor(async () => expect((await handle.query(broadcastProgressQuery)).sent).toBe(2), { timeout: 20_000, interval: 100 });
    await handle.signal(cancelBroadcastSignal);
    const result = await handle.result();
    await recordHistory(env.client, 'broadcast-pause-resume-cancel', handle.workflowId);
    worker.shutdown();
    await running;
    expect(result).toMatchObject({ status: 'cancelled', audience: 6, skipped: 4, remaining: 0 });
    expect(result.sent).toBe(2);
    const rows = await db().broadcastRecipient.groupBy({ by: ['status'], where: { broadcastId: id }, _count: { _all: true } });
    expect(Object.fromEntries(rows.map((r) => [r.status, r._count._all]))).toEqual({ sent: 2, skipped: 4 });
    expect(fx.sink.messages.filter((m) => m.envelopeTo[0]!.startsWith('ctl-'))).toHaveLength(2);
  });

  it('resumes after the worker stops mid-broadcast: nobody mailed twice, nobody skipped', async () => {
    const people = await audience('crash', 9);
    const id = await broadcast('crash', 60);
    const taskQueue = 'nl-crash';
    const input: BroadcastInput = { broadcastId: id, ratePerMinute: 60, batchSize: 2, historyLimit: 20 };
    const first = await newWorker(taskQueue, { sticky: false });
    const handle = await env.client.workflow.start('broadcastWorkflow', { workflowId: broadcastWorkflowId(id), taskQueue, args: [input] });
    // Stop the worker between batches (2 s apart in real time).
    await vi.waitFor(
      async () => expect(await db().broadcastRecipient.count({ where: { broadcastId: id, status: 'sent' } })).toBeGreaterThanOrEqual(2),
      { timeout: 20_000, interval: 50 },
    );
    first.worker.shutdown();
    await first.running;
    const before = await db().broadcastRecipient.count({ where: { broadcastId: id, status: 'sent' } });
    expect(before).toBeLessThan(9);

    // A new worker picks the same workflow up where it stood (continuing as new on the way: historyLimit 20).
    const second = await newWorker(taskQueue);
    const result = await handle.result();
    second.worker.shutdown();
    await second.running;
    expect(result).toMatchObject({ status: 'completed', sent: 9, remaining: 0, failed: 0 });
    for (const p of people) expect(mailsTo(p.email), p.email).toHaveLength(1);
    const counters = await db().contact.findMany({
      where: { id: { in: people.map((p) => p.id) } },
      select: { newslettersSinceLastClick: true },
    });
    expect(counters.map((c) => c.newslettersSinceLastClick)).toEqual(Array(9).fill(1));
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId); // it continued as new
  });

  it('a batch retried after sends were made but before rows were marked only marks them', async () => {
    const people = await audience('retry', 4);
    const id = await broadcast('retry', 600);
    const acts = createBroadcastActivities({
      db: db(),
      mailer: fx.mailer,
      log: createLogger('test', 'silent'),
      mailFrom: 'Rapport <hello@rapport.test>',
      publicUrl: 'http://rapport.test',
      linkSecret: TEST_LINK_SECRET,
    });
    await acts.snapshotBroadcastAudience({ broadcastId: id });
    await acts.snapshotBroadcastAudience({ broadcastId: id }); // idempotent
    const r1 = await acts.sendBroadcastBatch({ broadcastId: id, limit: 3 });
    expect([r1.processed, r1.counts.sent, r1.counts.remaining]).toEqual([3, 3, 1]);
    // As if the activity died after its sends but before marking the rows.
    await db().broadcastRecipient.updateMany({ where: { broadcastId: id }, data: { status: 'pending', variant: null, sendId: null } });
    const r2 = await acts.sendBroadcastBatch({ broadcastId: id, limit: 10 });
    expect([r2.processed, r2.counts.sent, r2.counts.remaining, r2.counts.audience]).toEqual([4, 4, 0, 4]);
    for (const p of people) expect(mailsTo(p.email), p.email).toHaveLength(1);
    const counters = await db().contact.findMany({
      where: { id: { in: people.map((p) => p.id) } },
      select: { newslettersSinceLastClick: true },
    });
    expect(counters.map((c) => c.newslettersSinceLastClick)).toEqual([1, 1, 1, 1]);
  });

  it('suppresses a recipient sunset or unsubscribed after the snapshot, and skips one deleted since', async () => {
    const [sunset, unsub, deleted, ok] = await audience('late', 4);
    const id = await broadcast('late', 600);
    const acts = createBroadcastActivities({
      db: db(),
      mailer: fx.mailer,
      log: createLogger('test', 'silent'),
      mailFrom: 'Rapport <hello@rapport.test>',
      publicUrl: 'http://rapport.test',
      linkSecret: TEST_LINK_SECRET,
    });
    expect((await acts.snapshotBroadcastAudience({ broadcastId: id })).audience).toBe(4);
    await db().contact.update({ where: { id: sunset!.id }, data: { subscriptions: { newsletter: 'sunset' } } });
    await db().contact.update({ where: { id: unsub!.id }, data: { subscriptions: { newsletter: 'unsubscribed' } } });
    await db().contact.update({ where: { id: deleted!.id }, data: { deletedAt: new Date() } });
    const r = await acts.sendBroadcastBatch({ broadcastId: id, limit: 10 });
    expect(r.counts).toEqual({ audience: 4, sent: 1, failed: 0, suppressed: 2, skipped: 1, remaining: 0 });
    const rows = await db().broadcastRecipient.findMany({ where: { broadcastId: id } });
    expect(rows.find((x) => x.contactId === sunset!.id)!.error).toBe('suppressed: sunset from newsletter');
    for (const c of [sunset, unsub, deleted]) expect(mailsTo(c!.email)).toHaveLength(0);
    expect(mailsTo(ok!.email)).toHaveLength(1);
    expect((await db().contact.findUniqueOrThrow({ where: { id: sunset!.id } })).newslettersSinceLastClick).toBe(0);
  });

  it('a batch that fails for good (an unknown template) marks the broadcast failed, not sending forever', async () => {
    const people = await audience('broken', 2);
    const id = await broadcast('broken', 600, 'no-such-template');
    const taskQueue = 'nl-broken';
    const { worker, running } = await newWorker(taskQueue);
    const handle = await env.client.workflow.start('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: 600 }],
    });
    const failure = await handle.result().then(
      () => null,
      (err: unknown) => err,
    );
    worker.shutdown();
    await running;
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({
      cause: { type: 'UnknownTemplate', message: 'unknown template "no-such-template"' },
    });
    const b = await db().broadcast.findUniqueOrThrow({ where: { id } });
    expect(b.status).toBe('failed');
    expect(b.finishedAt).not.toBeNull();
    // Nobody was mailed; the recipients are still there to be sent to (not leased away).
    for (const p of people) expect(mailsTo(p.email)).toHaveLength(0);
    const rows = await db().broadcastRecipient.findMany({ where: { broadcastId: id } });
    expect(rows.map((r) => [r.status, r.notBefore])).toEqual([
      ['pending', null],
      ['pending', null],
    ]);
  });

  it('a cancelled workflow (Temporal cancel) marks the broadcast cancelled', async () => {
    await audience('tcancel', 3);
    const id = await broadcast('tcancel', 6);
    const taskQueue = 'nl-tcancel';
    const { worker, running } = await newWorker(taskQueue);
    const handle = await env.client.workflow.start('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: 6, batchSize: 1 }],
    });
    await vi.waitFor(async () => expect((await handle.query(broadcastProgressQuery)).sent).toBe(1), { timeout: 20_000, interval: 100 });
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    worker.shutdown();
    await running;
    const b = await db().broadcast.findUniqueOrThrow({ where: { id } });
    expect(b.status).toBe('cancelled');
    const rows = await db().broadcastRecipient.groupBy({ by: ['status'], where: { broadcastId: id }, _count: { _all: true } });
    expect(Object.fromEntries(rows.map((r) => [r.status, r._count._all]))).toEqual({ sent: 1, skipped: 2 });
  });

  it('batches hold no transaction across SMTP: concurrent batches on a pool as small as the batch count finish, each recipient mailed once', async () => {
    const people = await audience('pool', 8);
    const id = await broadcast('pool', 6000);
    // Two connections for two batches at once: a batch that held one across
    // sendEmail (which needs another) would starve the pool.
    const small = createDb(fx.tdb.url, 2);
    try {
      const acts = createBroadcastActivities({
        db: small,
        mailer: fx.mailer,
        log: createLogger('test', 'silent'),
        mailFrom: 'Rapport <hello@rapport.test>',
        publicUrl: 'http://rapport.test',
        linkSecret: TEST_LINK_SECRET,
      });
      await acts.snapshotBroadcastAudience({ broadcastId: id });
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('batches did not finish: connection pool starved')), 20_000);
      });
      const results = await Promise.race([
        Promise.all([acts.sendBroadcastBatch({ broadcastId: id, limit: 5 }), acts.sendBroadcastBatch({ broadcastId: id, limit: 5 })]),
        stuck,
      ]).finally(() => clearTimeout(timer));
      // The two batches shared the audience: each recipient claimed by one of them.
      expect(results[0].processed + results[1].processed).toBe(8);
      expect(results[0].processed).toBeGreaterThan(0);
      expect(results[1].processed).toBeGreaterThan(0);
      const counts = await acts.setBroadcastStatus({ broadcastId: id, status: 'completed' });
      expect(counts).toEqual({ audience: 8, sent: 8, failed: 0, suppressed: 0, skipped: 0, remaining: 0 });
      await vi.waitFor(
        () => {
          for (const p of people) expect(mailsTo(p.email), p.email).toHaveLength(1);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(await db().messageSend.count({ where: { workflowId: broadcastWorkflowId(id) } })).toBe(8);
      expect((await db().broadcastRecipient.findMany({ where: { broadcastId: id } })).every((r) => r.notBefore === null)).toBe(true);
    } finally {
      await small.$disconnect();
    }
  });
  it('the token bucket holds the rate over every window, with two lanes sending at once', async () => {
    const people = await audience('bucket', 20);
    const id = await broadcast('bucket', 120);
    const taskQueue = 'nl-bucket';
    const { worker, running } = await newWorker(taskQueue);
    // 2 a second, chunks of 2, two lanes: a burst of at most 4 (one chunk per lane).
    const input: BroadcastInput = { broadcastId: id, ratePerMinute: 120, batchSize: 2, lanes: 2 };
    // Real time throughout (nobody awaits the result until it is done, so the test server does not skip
    // time): the send times and the workflow's clock agree.
    const handle = await env.client.workflow.start('broadcastWorkflow', { workflowId: broadcastWorkflowId(id), taskQueue, args: [input] });
    await vi.waitFor(async () => expect((await db().broadcast.findUniqueOrThrow({ where: { id } })).status).toBe('completed'), {
      // ~10 s of sending at 2 a second; a CI run sharing two cores with other test files took over 40.
      timeout: 100_000,
      interval: 200,
    });
    const result = await handle.result();
    await recordHistory(env.client, 'broadcast-chunked-lanes', broadcastWorkflowId(id));
    worker.shutdown();
    await running;
    expect(result).toMatchObject({ status: 'completed', sent: 20, remaining: 0 });
    for (const p of people) expect(mailsTo(p.email), p.email).toHaveLength(1);
    const times = (await db().messageSend.findMany({ where: { workflowId: broadcastWorkflowId(id) }, select: { sentAt: true } }))
      .map((s) => s.sentAt!.getTime())
      .sort((a, b) => a - b);
    // In any window from the i-th to the j-th send: at most the burst plus what the rate refilled meanwhile.
    for (let i = 0; i < times.length; i++) {
      for (let j = i; j < times.length; j++) {
        expect(j - i + 1, `sends ${i}..${j}`).toBeLessThanOrEqual(4 + Math.floor(((times[j]! - times[i]!) * 2) / 1000) + 1);
      }
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((20 - 4) / 2) * 1000 - 1000);
  }, 120_000);

  it('cancel mid-send: chunks in flight finish, nobody else is mailed, the counts add up', async () => {
    await audience('midcancel', 16);
    const id = await broadcast('midcancel', 120);
    const taskQueue = 'nl-midcancel';
    const { worker, running } = await newWorker(taskQueue);
    const handle = await env.client.workflow.start('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: 120, batchSize: 2, lanes: 2 }],
    });
    await vi.waitFor(async () => expect((await handle.query(broadcastProgressQuery)).sent).toBeGreaterThanOrEqual(4), {
      timeout: 20_000,
      interval: 50,
    });
    await handle.signal(cancelBroadcastSignal);
    const result = await handle.result();
    worker.shutdown();
    await running;
    expect(result.status).toBe('cancelled');
    expect(result.sent).toBeLessThan(16);
    expect(result.sent + result.skipped).toBe(16);
    expect(result.remaining).toBe(0);
    expect(fx.sink.messages.filter((m) => m.envelopeTo[0]!.startsWith('midcancel-'))).toHaveLength(result.sent);
    expect(await db().messageSend.count({ where: { workflowId: broadcastWorkflowId(id), status: { in: ['sending', 'pending'] } } })).toBe(
      0,
    );
  });
  it('starts each lane with a small chunk, so the first emails go out while the next chunks render, then sends full chunks', async () => {
    await db().contact.createMany({
      data: Array.from({ length: 300 }, (_, i) => ({
        email: `ramp-${i}@example.com`,
        tags: ['ramp'],
        subscriptions: { newsletter: 'subscribed' },
      })),
    });
    const id = await broadcast('ramp', 100_000);
    const taskQueue = 'nl-ramp';
    const { worker, running } = await newWorker(taskQueue);
    const result = await env.client.workflow.execute('broadcastWorkflow', {
      workflowId: broadcastWorkflowId(id),
      taskQueue,
      args: [{ broadcastId: id, ratePerMinute: 100_000 }],
    });
    worker.shutdown();
    await running;
    expect(result).toMatchObject({ status: 'completed', audience: 300, sent: 300 });
    const history = await env.client.workflow.getHandle(broadcastWorkflowId(id)).fetchHistory();
    const limits = (history.events ?? []).flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      if (a?.activityType?.name !== 'sendBroadcastBatch') return [];
      return [defaultPayloadConverter.fromPayload<{ limit: number }>(a.input!.payloads![0]!).limit];
    });
    expect(limits.slice(0, 4)).toEqual([50, 50, 50, 50]); // four lanes at 100,000 a minute
    expect(Math.max(...limits.slice(4))).toBeGreaterThan(50); // then full chunks (of what remained, at most 250)
    for (let i = 0; i < 300; i++) expect(mailsTo(`ramp-${i}@example.com`)).toHaveLength(1);
  });
});
