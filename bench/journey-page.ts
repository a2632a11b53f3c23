// Measures what the workspace's journey page asks for, at a business's scale:
// 50 published journeys and 10,000 contacts in flight (journey_runs rows at
// their steps, with their step logs and sends), in a fresh database on embedded
// PostgreSQL. Timed, as the page calls them: the journeys list
// (listJourneys), the journey's detail (journeyDetail, GET /v1/journeys/{key})
// and its live counts (journeyStats, polled every 3 s): first each as the use
// case the route calls, then as the browser asks for them, over HTTP from a
// server process (`cli/rapport.ts server`) with a signed-in session, so that
// routing, the session check, JSON and the access log are in the figure too.
// The goal is judged on the HTTP figures.
// Baseline, same run, same database: `SELECT 1` round trips.
// Run: npm run bench:journey-page -- [contacts] [journeys]   (defaults 10,000 and 50; last line is JSON)
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { listJourneys, journeyStats } from '../journeys/insights';
import { journeyVersion, publishJourney } from '../journeys/store';
import { journeyDetail } from '../journeys/use-cases/journey-detail';
import { createDb } from '../lib/db';
import { freePort } from '../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres } from '../stack/postgres';
import { startRole } from '../stack/role-process';
import { ROOT } from '../stack/tools';
import { createUser } from '../users/service';
import { BENCH_SECRETS } from './support/stack';

const contacts = Number(process.argv[2] ?? 10_000);
const journeys = Number(process.argv[3] ?? 50);
for (const [name, v] of [
  ['contacts', contacts],
  ['journeys', journeys],
] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
}
const ROUNDS = 30;
const GOAL_MS = 300;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function timed(rounds: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm: plans cached, pool connected
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

async function main() {
  const dir = join(ROOT, '.test-data', `bench-journey-page-${process.pid}`);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
  try {
    await pg.createDatabase('rapport');
    await migrate(pg.url('rapport'));
    const db = createDb(pg.url('rapport'), 4);
    await seedShippedContent(db);

    // 50 journeys shaped like the shipped nurture series (waits, sends, a goal).
    const latest = await db.journeyVersion.findFirstOrThrow({
      where: { journey: { key: 'nurture' } },
      orderBy: { version: 'desc' },
      select: { version: true },
    });
    const def = await journeyVersion(db, 'nurture', latest.version);
    if (!def) throw new Error('the shipped nurture journey is missing');
    const keys = Array.from({ length: journeys }, (_, i) => `bench_${i}`);
    for (const key of keys) await publishJourney(db, { ...def, key, name: `Bench ${key}` });
    const stepIds = def.steps.map((s) => s.id);

    const t0 = performance.now();
    // Contacts in flight, spread over the journeys and their steps; each has passed the steps before its own.
    await db.$executeRawUnsafe(`
      INSERT INTO contacts (id, email, updated_at)
      SELECT gen_random_uuid(), 'bench' || g || '@example.com', now() FROM generate_series(1, ${contacts}) g`);
    await db.$executeRawUnsafe(
      `
      INSERT INTO journey_runs (id, workflow_id, contact_id, journey_key, journey_version, status, current_step, started_at)
      SELECT gen_random_uuid(), 'journey/' || k.key || '/' || c.id, c.id, k.key, 1, 'running', ($1::text[])[1 + (c.n % array_length($1::text[], 1))], now() - interval '1 day'
      FROM (SELECT id, row_number() OVER () AS n FROM contacts WHERE email LIKE 'bench%') c
      JOIN (SELECT key, row_number() OVER (ORDER BY key) - 1 AS i FROM unnest($2::text[]) key) k ON k.i = c.n % ${journeys}`,
      stepIds,
      keys,
    );
    await db.$executeRawUnsafe(
      `
      INSERT INTO journey_step_logs (id, log_key, contact_id, workflow_id, journey_key, step_id, kind, outcome, at)
      SELECT gen_random_uuid(), r.workflow_id || ':' || s.id || ':' || s.ord, r.contact_id, r.workflow_id, r.journey_key, s.id, 'step', 'done', now()
      FROM journey_runs r
      JOIN LATERAL unnest($1::text[]) WITH ORDINALITY AS s(id, ord) ON s.ord < array_position($1::text[], r.current_step)
      WHERE r.journey_key LIKE 'bench_%'`,
      stepIds,
    );
    await db.$executeRawUnsafe(`ANALYZE`);
    const [counts] = await db.$queryRawUnsafe<{ runs: bigint; logs: bigint }[]>(
      `SELECT (SELECT count(*) FROM journey_runs) AS runs, (SELECT count(*) FROM journey_step_logs) AS logs`,
    );
    console.log(
      `seeded ${journeys} journeys, ${counts?.runs} runs in flight, ${counts?.logs} step logs in ${Math.round(performance.now() - t0)} ms`,
    );

    const key = keys[0]!;
    const baseline = await timed(ROUNDS, () => db.$queryRawUnsafe('SELECT 1'));
    const list = await timed(ROUNDS, () => listJourneys(db));
    const detail = await timed(ROUNDS, () => journeyDetail(db, key));
    const stats = await timed(ROUNDS, () => journeyStats(db, key));
    // The page: detail and stats at once (the list is another page).
    const page = await timed(ROUNDS, () => Promise.all([journeyDetail(db, key), journeyStats(db, key)]));

    // The same over HTTP, as the workspace asks: a server process, a session cookie.
    const server = await startRole(
      'server',
      {
        ...process.env,
        NODE_ENV: 'production',
        // info: the ready line is an info line (the output is discarded).
        LOG_LEVEL: 'info',
        DATABASE_URL: pg.url('rapport'),
        // No Temporal is needed for these pages; the server listens without one.
        TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
        DISPATCHER_ENABLED: 'false',
        HTTP_PORT: String(await freePort()),
        ...BENCH_SECRETS,
        // Nothing is sent: the server needs a relay named, not reachable.
        SMTP_URL: 'smtp://127.0.0.1:2525',
      },
      { out: () => undefined },
    );
    let http: { list: number[]; page: number[] };
    try {
      const base = String(server.ready.url);
      const password = 'bench-password-0123456789';
      await createUser(db, { email: 'bench@example.com', password, role: 'viewer', name: 'Bench' });
      const login = await fetch(`${base}/dashboard/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'bench@example.com', password }),
      });
      if (login.status !== 201) throw new Error(`sign-in answered ${login.status}: ${await login.text()}`);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const get = async (path: string) => {
        const res = await fetch(`${base}/dashboard/api${path}`, { headers: { cookie, accept: 'application/json' } });
        if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
        return res.json();
      };
      http = {
        list: await timed(ROUNDS, () => get('/journeys')),
        page: await timed(ROUNDS, () => Promise.all([get(`/v1/journeys/${key}`), get(`/journeys/${key}/stats`)])),
      };
    } finally {
      await server.stop();
    }

    const row = (name: string, xs: number[]) =>
      console.log(
        `${name.padEnd(28)} p50 ${percentile(xs, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(7)} ms`,
      );
    row('baseline: SELECT 1', baseline);
    row('journeys list (50)', list);
    row('journey detail', detail);
    row('journey stats', stats);
    row('journey page (detail+stats)', page);
    row('HTTP: journeys list', http.list);
    row('HTTP: journey page', http.page);
    const p99 = percentile(http.page, 99);
    const listP99 = percentile(http.list, 99);
    console.log(
      `over HTTP: journey page p99 ${p99.toFixed(1)} ms, list p99 ${listP99.toFixed(1)} ms: goal < ${GOAL_MS} ms ${Math.max(p99, listP99) < GOAL_MS ? 'met' : 'NOT met'}`,
    );
    console.log(
      JSON.stringify({
        contacts,
        journeys,
        rounds: ROUNDS,
        baselineP50Ms: +percentile(baseline, 50).toFixed(2),
        useCaseListP99Ms: +percentile(list, 99).toFixed(1),
        useCasePageP99Ms: +percentile(page, 99).toFixed(1),
        listP99Ms: +listP99.toFixed(1),
        pageP50Ms: +percentile(http.page, 50).toFixed(1),
        pageP99Ms: +p99.toFixed(1),
        goalMs: GOAL_MS,
      }),
    );
    await db.$disconnect();
  } finally {
    await pg.stop();
    removeEmbeddedData(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
