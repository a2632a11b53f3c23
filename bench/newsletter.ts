// Newsletter throughput, Rapport against raw pooled nodemailer, in one run:
//   npm run bench:newsletter -- [N] [--explain] [--profile FILE]   (default 20,000 recipients)
// Starts a fresh embedded PostgreSQL, the Temporal dev server (in memory), the
// worker and the server in this process, and a counting SMTP sink on loopback
// in a child process (it counts and discards; at most 2 x SMTP_POOL_SIZE
// connections at once, for both runs, room for a pool replacing a connection). Creates N subscribed contacts
// with SQL (a fixture, not what is measured), a segment and a ~20 KB
// personalised newsletter template with links, then:
//   1. raw: the same HTML (rendered once) with nodemailer, pooled, SMTP_POOL_SIZE
//      connections, to the sink, min(N, 20,000) messages (no database: its rate
//      does not depend on N), and again after step 2: the ratio is against the
//      mean of both, so that a change of the machine's load weighs on both;
//   2. Rapport: POST /v1/newsletters -> broadcast workflow -> activities -> SMTP,
//      with tracked links and List-Unsubscribe headers, through the same sink,
//      until GET /v1/newsletters/{id} says completed.
// `--profile FILE` writes a CPU profile (.cpuprofile, for Chrome DevTools) of
// this process during step 2 only: worker, server and dispatcher, not the raw runs.
// Prints msg/s for both, the ratio, the database round trips per message
// (every query this process sent to PostgreSQL while the newsletter ran,
// worker, server and dispatcher together), and a last line of JSON.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { CLAIM_LEASE_MS, claimSql } from '../activities/broadcast-chunk';
import { loadEnv } from '../config/env';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { buildRenderContext, consentLinks } from '../email/context';
import { renderEmail } from '../email/render';
import { latestTemplate, publishTemplate } from '../email/template-store';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { startServer } from '../server/main';
import { freePort } from '../stack/net';
import { startEmbeddedPostgres } from '../stack/postgres';
import { startTemporalDevServer } from '../stack/temporal';
import { ROOT } from '../stack/tools';
import { startWorker } from '../worker/worker';
import { BENCH_SECRETS } from './support/stack';

const args = process.argv.slice(2);
const explain = args.includes('--explain');
const profileAt = args.indexOf('--profile');
const profileFile = profileAt >= 0 ? args[profileAt + 1] : undefined;
if (profileAt >= 0 && !profileFile) throw new Error('bench:newsletter: --profile needs a file name');
const nArg = args.find((a, i) => !a.startsWith('--') && (profileAt < 0 || i !== profileAt + 1));
const n = Number(nArg ?? 20_000);
if (!Number.isInteger(n) || n < 1) throw new Error(`bench:newsletter: N must be a positive integer, got "${nArg}"`);
const CONNECTIONS = Number(process.env.SMTP_POOL_SIZE ?? 8);
const say = (s: string) => process.stdout.write(`${s}\n`);

// Every query from this process to PostgreSQL (Prisma's adapter and raw pg both use pg.Client).
let queries = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  queries++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

interface Sink {
  port: number;
  count(): Promise<number>;
  stop(): void;
}

async function startCountingSink(): Promise<Sink> {
  const child = fork(join(ROOT, 'bench', 'counting-sink.ts'), [String(CONNECTIONS * 2)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`counting sink exited (${code})`)));
    child.on('message', (m: { type: string; port?: number }) => m.type === 'port' && resolve(m.port!));
  });
  return {
    port,
    count: () =>
      new Promise<number>((resolve) => {
        const on = (m: { type: string; n?: number }) => {
          if (m.type !== 'count') return;
          child.off('message', on);
          resolve(m.n!);
        };
        child.on('message', on);
        child.send({ type: 'count' });
      }),
    stop: () => void child.kill('SIGTERM'),
  };
}

async function waitUntil<T>(what: string, f: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`bench:newsletter: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The shipped newsletter padded with personalised sections with links to about 20 KB of HTML. */
function benchMjml(base: string): string {
  const section = (i: number) => `
<mj-section background-color="#ffffff" padding="8px 24px">
  <mj-column>
    <mj-text font-size="18px" font-weight="bold">Story ${i}: what {{firstNameOr "you"}} asked about</mj-text>
    <mj-text>Marketers told us about journeys that wait for the right moment, reminders for sales reps,
      rewards when spend crosses a threshold, and a graceful goodbye for readers who never click.
      This is story ${i} of this month's issue, written for {{firstNameOr "you"}}.</mj-text>
    <mj-button href="https://rapport.example/blog/story-${i}?utm_source=newsletter">Read story ${i}</mj-button>
  </mj-column>
</mj-section>`;
  const extra = Array.from({ length: 3 }, (_, i) => section(i + 1)).join('');
  return base.replace(/(<mj-body[^>]*>)/, `$1${extra}`);
}

/**
 * `--explain`: the plans of a chunk's claim and of the progress count for a
 * second newsletter to the same N, half of it sent, with the first one's N
 * rows present: the claim must start at the first pending row (index range on
 * broadcast, status, contact), whatever was sent before.
 */
async function explainClaim(url: string, total: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const id = randomUUID();
    await client.query(
      `INSERT INTO broadcasts (id, name, template_key, reengagement_template, segment_key, condition, rate_per_minute, workflow_id, status)
       VALUES ($1, 'explain', 'bench-newsletter', 'bench-newsletter', 'bench', '{}', 1000, $2, 'sending')`,
      [id, `explain-${id}`],
    );
    await client.query(`INSERT INTO broadcast_recipients (broadcast_id, contact_id) SELECT $1, id FROM contacts`, [id]);
    await client.query(`ANALYZE broadcast_recipients`);
    await client.query(
      `UPDATE broadcast_recipients SET status = 'sent' WHERE broadcast_id = $1 AND contact_id IN
         (SELECT contact_id FROM broadcast_recipients WHERE broadcast_id = $1 ORDER BY contact_id LIMIT $2)`,
      [id, Math.floor(total / 2)],
    );
    const now = new Date();
    const claim = claimSql(id, 250, now, new Date(now.getTime() + CLAIM_LEASE_MS));
    await client.query('BEGIN');
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${claim.text}`, claim.values);
    await client.query('ROLLBACK');
    say(`claim of 250 from the start, ${total} recipients of a sent newsletter and ${Math.floor(total / 2)} of ${total} of this one sent:`);
    for (const r of plan.rows) say(`  ${r['QUERY PLAN']}`);
    // As chunks claim: after the last contact this process claimed (activities/broadcast-chunk.ts).
    const [{ last }] = (
      await client.query<{ last: string }>(
        `SELECT contact_id::text AS last FROM broadcast_recipients WHERE broadcast_id = $1 AND status = 'sent' ORDER BY contact_id DESC LIMIT 1`,
        [id],
      )
    ).rows as [{ last: string }];
    const next = claimSql(id, 250, now, new Date(now.getTime() + CLAIM_LEASE_MS), last);
    await client.query('BEGIN');
    const planAfter = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${next.text}`, next.values);
    await client.query('ROLLBACK');
    say('the same claim after the last contact claimed:');
    for (const r of planAfter.rows) say(`  ${r['QUERY PLAN']}`);
    const counts = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT status, count(*) FROM broadcast_recipients WHERE broadcast_id = $1 GROUP BY status`,
      [id],
    );
    say('progress count:');
    for (const r of counts.rows) say(`  ${r['QUERY PLAN']}`);
  } finally {
    await client.end();
  }
}

const log = createLogger('bench', 'silent');
const dir = join(ROOT, '.test-data', `bench-newsletter-${process.pid}`);
const pgServer = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
const temporal = await startTemporalDevServer({ dbFile: null, port: await freePort(), uiPort: null });
const sink = await startCountingSink();
const smtpUrl = `smtp://127.0.0.1:${sink.port}?tls=off`;
try {
  await pgServer.createDatabase('bench');
  const url = pgServer.url('bench');
  await migrate(url);
  const db = createDb(url, 10);
  await seedShippedContent(db);
  const shipped = await latestTemplate(db, 'newsletter');
  if (!shipped) throw new Error('the shipped newsletter template is missing');
  await publishTemplate(db, {
    key: 'bench-newsletter',
    name: 'Bench newsletter',
    category: 'newsletter',
    subject: shipped.subject,
    preheader: shipped.preheader,
    mjml: benchMjml(shipped.mjml),
    from: shipped.from,
    replyTo: shipped.replyTo,
  });
  const template = (await latestTemplate(db, 'bench-newsletter'))!;

  // The fixture: N subscribed contacts, in one statement.
  let t = performance.now();
  await db.$executeRaw`
    INSERT INTO contacts (id, email, first_name, tags, subscriptions, updated_at)
    SELECT gen_random_uuid(), 'reader' || i || '@example.com', 'Reader' || i, ARRAY['bench'], '{"newsletter":"subscribed"}'::jsonb, now()
    FROM generate_series(1, ${n}::int) AS i`;
  await db.segment.create({ data: { key: 'bench', name: 'Bench readers', condition: { field: 'tags', op: 'contains', value: 'bench' } } });
  await db.$executeRaw`ANALYZE`;
  say(`fixture: ${n} contacts in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 1. Raw pooled nodemailer: the same HTML, rendered once, no database.
  const links = consentLinks(
    { publicUrl: 'http://rapport.localhost', linkSecret: BENCH_SECRETS.LINK_SIGNING_SECRET },
    '00000000-0000-4000-8000-000000000000',
    'newsletter',
  );
  const sample = await renderEmail(
    template,
    buildRenderContext({
      contact: {
        firstName: 'Reader',
        lastName: null,
        company: null,
        email: 'reader@example.com',
        tier: null,
        currency: 'USD',
        locale: 'en',
        timeZone: 'UTC',
        attributes: {},
        tags: [],
        lifetimeSpendCents: 0n,
        loyaltyPoints: 0,
        purchaseCount: 0,
        lastPurchaseAt: null,
        createdAt: new Date(),
      },
      links,
      category: 'newsletter',
    }),
  );
  say(`html: ${(sample.html.length / 1024).toFixed(1)} KB`);
  const rawRun = async (count: number, when: string): Promise<number> => {
    const raw = nodemailer.createTransport({
      pool: true,
      maxConnections: CONNECTIONS,
      maxMessages: Infinity,
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      ignoreTLS: true,
    });
    const before = await sink.count();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS * 4 }, async () => {
        while (next < count) {
          const i = next++;
          await raw.sendMail({
            from: template.from ?? 'news@rapport.localhost',
            to: `reader${i + 1}@example.com`,
            subject: sample.subject,
            html: sample.html,
            text: sample.text,
          });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    raw.close();
    if ((await sink.count()) - before !== count) throw new Error('raw run: the sink did not count every message');
    say(
      `raw nodemailer (${CONNECTIONS} connections), ${when}: ${count} in ${seconds.toFixed(1)} s = ${(count / seconds).toFixed(0)} msg/s`,
    );
    return count / seconds;
  };
  // At most 20,000 raw messages each time: the raw rate does not depend on N (no database).
  const rawBefore = await rawRun(Math.min(n, 20_000), 'before');

  // 2. Rapport, through the API.
  const envRaw = {
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: smtpUrl,
    SMTP_POOL_SIZE: String(CONNECTIONS),
    HTTP_PORT: '0',
    ...BENCH_SECRETS,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://rapport.localhost',
  };
  const workerDb = createDb(url, 10);
  const worker = await startWorker(loadEnv('worker', envRaw), { db: workerDb, log });
  const server = await startServer(loadEnv('server', envRaw), { log });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${envRaw.RAPPORT_API_KEYS}`, 'content-type': 'application/json' },
    });
  const sinkBefore = await sink.count();
  const queriesBefore = queries;
  const profiler = profileFile ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  t = performance.now();
  const res = await api('/v1/newsletters', {
    method: 'POST',
    body: JSON.stringify({ name: 'Bench issue', template: 'bench-newsletter', segment: 'bench', ratePerMinute: 100_000 }),
  });
  if (res.status !== 202) throw new Error(`POST /v1/newsletters answered ${res.status}: ${await res.text()}`);
  const { newsletter } = (await res.json()) as { newsletter: { id: string } };
  let lastReport = performance.now();
  // When the first message reached the sink, and when the last did: the fixed costs at both ends.
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  const done = await waitUntil(
    'the newsletter to complete',
    async () => {
      const atSink = (await sink.count()) - sinkBefore;
      if (firstAt === null && atSink > 0) firstAt = performance.now();
      if (lastAt === null && atSink >= n) lastAt = performance.now();
      const r = await api(`/v1/newsletters/${newsletter.id}`);
      const b = ((await r.json()) as { newsletter: { status: string; progress: { sent: number; remaining: number } } }).newsletter;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`  ${b.status}: ${b.progress.sent} sent, ${b.progress.remaining} remaining (${((performance.now() - t) / 1000).toFixed(0)} s)`);
      }
      if (b.status === 'failed' || b.status === 'cancelled') throw new Error(`the newsletter ended ${b.status}`);
      return b.status === 'completed' ? b : null;
    },
    Math.max(600_000, n * 100),
  );
  const rapportSeconds = (performance.now() - t) / 1000;
  if (profiler && profileFile) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    profiler.disconnect();
    say(`CPU profile of the Rapport run: ${profileFile}`);
  }
  const roundTrips = queries - queriesBefore;
  const delivered = (await sink.count()) - sinkBefore;
  if (done.progress.sent !== n || delivered !== n)
    throw new Error(`Rapport run: ${done.progress.sent} marked sent, ${delivered} delivered, expected ${n}`);
  const rapportPerSecond = n / rapportSeconds;
  say(
    `rapport (POST /v1/newsletters -> workflow -> SMTP): ${n} in ${rapportSeconds.toFixed(1)} s = ${rapportPerSecond.toFixed(0)} msg/s, ${((rapportSeconds * 1000) / n).toFixed(2)} ms/message`,
  );
  const secs = (at: number | null) => (at === null ? '?' : ((at - t) / 1000).toFixed(1));
  say(
    `first message at the sink after ${secs(firstAt)} s, the last after ${secs(lastAt)} s, completed after ${rapportSeconds.toFixed(1)} s`,
  );
  say(`database round trips: ${(roundTrips / n).toFixed(2)} per message (${roundTrips} queries in this process)`);
  if (explain) await explainClaim(url, n);

  await server.close();
  await worker.shutdown();
  await workerDb.$disconnect();
  // Raw again, with Rapport stopped, so that a change in the machine's load
  // during the run weighs on both sides alike.
  const rawAfter = await rawRun(Math.min(n, 20_000), 'after');
  const rawPerSecond = (rawBefore + rawAfter) / 2;
  const ratio = rapportPerSecond / rawPerSecond;
  say(`ratio rapport/raw (mean of before and after, ${rawPerSecond.toFixed(0)} msg/s): ${ratio.toFixed(2)}`);
  await db.$disconnect();
  say(
    JSON.stringify({
      n,
      rapportPerSecond: Number(rapportPerSecond.toFixed(1)),
      rawPerSecond: Number(rawPerSecond.toFixed(1)),
      rawBeforePerSecond: Number(rawBefore.toFixed(1)),
      rawAfterPerSecond: Number(rawAfter.toFixed(1)),
      ratio: Number(ratio.toFixed(3)),
      roundTripsPerMessage: Number((roundTrips / n).toFixed(2)),
      msPerMessage: Number(((rapportSeconds * 1000) / n).toFixed(3)),
    }),
  );
} finally {
  sink.stop();
  await temporal.stop();
  await pgServer.stop();
  rmSync(dir, { recursive: true, force: true });
}
