// An event accepted (2xx) before PostgreSQL restarts still reaches its journey;
// while the database is down, nothing is acknowledged (5xx), so senders retry.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { migrate } from '../../db/migrate';
import { seedShippedContent } from '../../db/seed';
import { createDb } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { startServer, type RunningServer } from '../../server/main';
import { freePort } from '../../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres, type EmbeddedDb } from '../../stack/postgres';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { ROOT } from '../../stack/tools';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { TEST_API_KEY, testEnv } from '../support/env';
import { workflowBundle } from '../support/temporal';

let dir: string;
let port: number;
let pg: EmbeddedDb;
let sink: MailSink;
let env: ReturnType<typeof testEnv>;
const servers: RunningServer[] = [];
let worker: RunningWorker | null = null;
const log = createLogger('test', 'silent');

beforeAll(async () => {
  dir = join(ROOT, '.test-data', `pg-restart-${process.pid}-${Date.now()}`);
  port = await freePort();
  pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
  await pg.createDatabase('rapport');
  await migrate(pg.url('rapport'));
  const db = createDb(pg.url('rapport'), 2);
  await seedShippedContent(db);
  await db.$disconnect();
  sink = await startMailSink({ smtpPort: 0 });
  env = testEnv({
    databaseUrl: pg.url('rapport'),
    temporalAddress: inject('temporalAddress'),
    smtpUrl: sink.smtpUrl,
    overrides: { DISPATCH_MAX_BACKOFF_SECONDS: '1' },
  });
});
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  await worker?.shutdown();
  await sink?.close();
  await pg?.stop();
  removeEmbeddedData(join(dir, 'pg')); // and its relocated data, as root in a private clone
  rmSync(dir, { recursive: true, force: true });
});

const post = (server: RunningServer, body: unknown) =>
  fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('a database restart', () => {
  it('keeps accepted events, refuses events while down, and delivers after', async () => {
    const first = await startServer({ ...env.server, DISPATCHER_ENABLED: false }, { log });
    servers.push(first);
    expect(
      (await post(first, { id: 'before', type: 'signed_up', contact: { email: 'before@example.com', firstName: 'Bea' } })).status,
    ).toBe(202);

    await pg.stop();
    const down = await post(first, { id: 'during', type: 'signed_up', contact: { email: 'during@example.com' } });
    expect(down.status).toBeGreaterThanOrEqual(500);
    const health = (await (await fetch(`${first.url}/health`)).json()) as { database: { ok: boolean } };
    expect(health.database.ok).toBe(false);

    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port });
    worker = await startWorker(env.worker, { workflowBundle: await workflowBundle(), log });
    servers.push(await startServer(env.server, { log }));
    await sink.waitFor((m) => m.envelopeTo.includes('before@example.com'), 30_000);
    // The same server process works again once the database is back.
    expect((await post(first, { id: 'after', type: 'signed_up', contact: { email: 'after@example.com' } })).status).toBe(202);
    await sink.waitFor((m) => m.envelopeTo.includes('after@example.com'), 30_000);
    expect(sink.messages.some((m) => m.envelopeTo.includes('during@example.com'))).toBe(false);
  });
});
