// Measures how long an accepted event takes to have its effect, end to end:
// POST /v1/events (signed_up) -> dispatcher -> Temporal -> worker -> SMTP.
// Starts its own embedded PostgreSQL, Temporal dev server (in memory), SMTP
// sink, worker and server on free ports; sends N events one after another.
// Run: npx tsx bench/event-latency.ts [events]   (reports p50, p95, max)
import { join } from 'node:path';
import { loadEnv } from '../config/env';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { startServer } from '../server/main';
import { freePort } from '../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres } from '../stack/postgres';
import { startMailSink } from '../stack/smtp-sink';
import { startTemporalDevServer } from '../stack/temporal';
import { ROOT } from '../stack/tools';
import { startWorker } from '../worker/worker';
import { BENCH_SECRETS } from './support/stack';

const n = Number(process.argv[2] ?? 30);
const log = createLogger('bench', 'silent');
const dir = join(ROOT, '.test-data', `bench-${process.pid}`);
const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
const temporal = await startTemporalDevServer({ dbFile: null, port: await freePort(), uiPort: null });
const sink = await startMailSink({ smtpPort: 0 });
try {
  await pg.createDatabase('bench');
  await migrate(pg.url('bench'));
  const db = createDb(pg.url('bench'), 5);
  await seedShippedContent(db);
  const raw = {
    DATABASE_URL: pg.url('bench'),
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: sink.smtpUrl,
    HTTP_PORT: '0',
    ...BENCH_SECRETS,
    LOG_LEVEL: 'silent',
    FREQUENCY_CAP_PER_7D: '0',
  };
  const worker = await startWorker(loadEnv('worker', raw), { db, log });
  const server = await startServer(loadEnv('server', raw), { db, log });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const email = `bench${i}@example.com`;
    const t = performance.now();
    const res = await fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${raw.RAPPORT_API_KEYS}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `b${i}`, type: 'signed_up', contact: { email, firstName: 'Bench' } }),
    });
    if (res.status !== 202) throw new Error(`POST answered ${res.status}`);
    await sink.waitFor((m) => m.envelopeTo.includes(email), 30_000);
    times.push(performance.now() - t);
    if ((i + 1) % 10 === 0) process.stdout.write(`  ${i + 1}/${n}\n`);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(0);
  process.stdout.write(`event -> email delivered, ${n} events: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms\n`);
  await server.close();
  await worker.shutdown();
  await db.$disconnect();
} finally {
  await sink.close();
  await temporal.stop();
  await pg.stop();
  removeEmbeddedData(dir);
}
