// One bad day, in order: the SMTP relay defers everything, the Temporal server
// restarts, then PostgreSQL does, and when mail flows again the relay refuses
// some recipients for good. Journeys are mid-send and mid-wait through all of
// it. After recovery: no accepted event lost, nobody mailed twice, refused
// recipients suppressed, every run where it should be.
// Own PostgreSQL and a file-backed Temporal dev server (so a restart keeps its
// workflows), both on loopback; the real server and worker in this process.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../db/migrate';
import { seedShippedContent } from '../../db/seed';
import { createDb, type Db } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { startServer, type RunningServer } from '../../server/main';
import { freePort } from '../../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres, type EmbeddedDb } from '../../stack/postgres';
import { startTemporalDevServer, type DevServer } from '../../stack/temporal';
import { ROOT } from '../../stack/tools';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { TEST_API_KEY, testEnv } from '../support/env';
import { startFaultySmtp, type FaultySmtp } from '../support/faulty-smtp';
import { workflowBundle } from '../support/temporal';

const log = createLogger('test', 'silent');
let dir: string;
let pgPort: number;
let temporalPort: number;
let pg: EmbeddedDb;
let temporal: DevServer;
let smtp: FaultySmtp;
let server: RunningServer | null = null;
let worker: RunningWorker | null = null;
let db: Db | null = null;

const startPg = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort });
const startTemporal = () => startTemporalDevServer({ dbFile: join(dir, 'temporal.db'), port: temporalPort, uiPort: null });

beforeAll(async () => {
  dir = join(ROOT, '.test-data', `resilience-${process.pid}-${Date.now()}`);
  [pgPort, temporalPort] = [await freePort(), await freePort()];
  [pg, temporal, smtp] = await Promise.all([startPg(), startTemporal(), startFaultySmtp()]);
  await pg.createDatabase('rapport');
  await migrate(pg.url('rapport'));
  db = createDb(pg.url('rapport'), 2);
  await seedShippedContent(db);
});
afterAll(async () => {
  await server?.close().catch(() => undefined);
  await worker?.shutdown().catch(() => undefined);
  await db?.$disconnect();
  await smtp?.close();
  await temporal?.stop();
  await pg?.stop();
  removeEmbeddedData(join(dir, 'pg')); // and its relocated data, as root in a private clone
  rmSync(dir, { recursive: true, force: true });
});

const signup = (n: string) => ({ id: `signup-${n}`, type: 'signed_up', contact: { email: `${n}@example.com`, firstName: 'Res' } });

async function api(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
  const r = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
const post = async (body: unknown) => (await api('/v1/events', body)).status;

/** Readers brought in by an import with an attested consent: subscribed to the newsletter without double opt-in. */
async function importReaders(emails: string[]) {
  const form = new FormData();
  form.set(
    'consent',
    JSON.stringify({ source: 'resilience test', obtainedAt: '2026-01-01', categories: ['newsletter'], attestedBy: 'the test' }),
  );
  form.set('file', new Blob([['email,tags', ...emails.map((e) => `${e},reader`)].join('\n')], { type: 'text/csv' }), 'readers.csv');
  const r = await api('/v1/contacts/import', form);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(
    (await api('/v1/segments/readers', { name: 'Readers', condition: { field: 'tags', op: 'contains', value: 'reader' } }, 'PUT')).status,
  ).toBe(201);
}

/** Polls with a deadline (no guessed sleeps): resolves when `check` stops throwing. */
const eventually = <T>(check: () => Promise<T> | T, timeout: number) => vi.waitFor(check, { timeout, interval: 200 });

describe('a bad day for every dependency', () => {
  it('loses no accepted event, mails nobody twice, and leaves every run where it should be', { timeout: 240_000 }, async () => {
    const env = testEnv({
      databaseUrl: pg.url('rapport'),
      temporalAddress: `127.0.0.1:${temporalPort}`,
      smtpUrl: smtp.url,
      overrides: { DISPATCH_MAX_BACKOFF_SECONDS: '1', DATABASE_POOL_SIZE: '4' },
    });
    server = await startServer(env.server, { log });
    worker = await startWorker(env.worker, { workflowBundle: await workflowBundle(), log });
    const accepted: string[] = [];
    const send = async (name: string) => {
      const status = await post(signup(name));
      if (status === 202) accepted.push(name);
      return status;
    };

    const readers = Array.from({ length: 30 }, (_, i) => `reader${i}@readers.example`);
    await importReaders(readers);

    // 1. The relay defers every message: welcome sends fail with 4xx, Temporal retries them;
    //    the newsletter's recipients go back to pending and are tried again.
    smtp.mode = 'defer';
    const nl = await api('/v1/newsletters', { name: 'Bad-day issue', template: 'newsletter', segment: 'readers', ratePerMinute: 60000 });
    expect(nl.status, JSON.stringify(nl.body)).toBe(202);
    const newsletterId = nl.body.newsletter.id as string;
    const good = Array.from({ length: 12 }, (_, i) => `good${i}`);
    const bouncing = ['bounce0', 'bounce1'];
    for (const n of [...good.slice(0, 6), ...bouncing]) expect(await send(n)).toBe(202);
    await eventually(() => expect(smtp.deferred).toBeGreaterThanOrEqual(8 + readers.length), 60_000);

    // 2. Temporal restarts, and events keep being accepted while it is down.
    await temporal.stop();
    for (const n of good.slice(6, 9)) expect(await send(n)).toBe(202);
    temporal = await startTemporal();

    // 3. PostgreSQL restarts: nothing is acknowledged while it is down (senders retry), after that all is as before.
    await pg.stop();
    expect(await post(signup('while-db-down'))).toBeGreaterThanOrEqual(500);
    pg = await startPg();
    await eventually(async () => expect(await send(good[9]!)).toBe(202), 30_000);
    for (const n of good.slice(10)) expect(await send(n)).toBe(202);

    // 4. Mail flows again, but the relay refuses the bouncing addresses for good.
    smtp.refuse = (a) => a.startsWith('bounce');
    smtp.mode = 'accept';

    // Every accepted good sign-up gets its welcome email; the bounced ones are suppressed.
    expect(accepted).toEqual([...good.slice(0, 6), ...bouncing, ...good.slice(6)]);
    await eventually(() => {
      for (const n of good) expect(smtp.accepted.get(`${n}@example.com`), n).toBe(1);
    }, 150_000);
    await eventually(async () => {
      const suppressed = await db!.suppression.findMany({ where: { reason: 'hard_bounce' }, select: { email: true } });
      expect(suppressed.map((s) => s.email).sort()).toEqual(bouncing.map((n) => `${n}@example.com`));
    }, 60_000);

    // The newsletter completes: every reader once.
    const done = await eventually(async () => {
      const p = (await api(`/v1/newsletters/${newsletterId}`)).body.newsletter;
      expect(p.status).toBe('completed');
      return p;
    }, 120_000);
    expect(done.progress).toMatchObject({ audience: readers.length, sent: readers.length, failed: 0, remaining: 0 });
    for (const r of readers) expect(smtp.accepted.get(r), r).toBe(1);

    // Nothing lost: every accepted event reached Temporal; the one refused while the DB was down was never stored.
    const events = await db!.event.findMany({ where: { type: 'signed_up' }, select: { idempotencyKey: true, dispatchedAt: true } });
    expect(events.map((e) => e.idempotencyKey).sort()).toEqual(accepted.map((n) => `api:signup-${n}`).sort());
    await eventually(async () => {
      const pending = await db!.event.count({ where: { type: 'signed_up', dispatchedAt: null } });
      expect(pending).toBe(0);
    }, 30_000);

    // Every run where it should be: welcome waits its three days (the email behind it), nurture waits a day.
    await eventually(async () => {
      const runs = await db!.journeyRun.findMany({
        where: { journeyKey: 'welcome' },
        select: { status: true, currentStep: true, contact: { select: { email: true } } },
      });
      const byEmail = new Map(runs.map((r) => [r.contact.email, r]));
      for (const n of good) expect(byEmail.get(`${n}@example.com`), n).toMatchObject({ status: 'running', currentStep: 'wait_3_days' });
      expect(runs).toHaveLength(good.length + bouncing.length);
    }, 60_000);
    const sends = await db!.messageSend.groupBy({ by: ['status'], where: { templateKey: 'welcome' }, _count: true });
    const byStatus = Object.fromEntries(sends.map((s) => [s.status, s._count]));
    expect(byStatus).toMatchObject({ sent: good.length });
    expect(byStatus.failed ?? 0).toBe(bouncing.length);

    // Nobody twice, however many retries and restarts it took.
    expect(Math.max(...smtp.accepted.values())).toBe(1);
    expect(smtp.acceptedTotal()).toBe(good.length + readers.length);
    expect(smtp.refused).toBe(bouncing.length);
  });
});
