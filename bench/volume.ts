// Journeys at volume: how Rapport's engine keeps up with a business's contact
// list, each figure against a baseline measured in the same run on the same
// servers (2 shared cores here: read the ratios, not the seconds).
//
//   npm run bench:volume -- [figures] [--contacts N] [--events N] [--requests N] [--seconds N] [--rate N] [--warmup S] [--cache N]
//   figures: enrol dispatch ingest latency (default: all), waiting (only when named)
//
// enrol     N contacts' stored `signed_up` events (welcome + nurture: 2 runs each)
//           until every run waits at its first wait, vs trivial one-activity
//           workflows started and finished on the same Temporal server (up to
//           4,000, before and after the figure; the ratio is to their mean). Also the
//           worker's memory with those runs waiting, and per cached run (RSS and
//           heap over idle, divided by the SDK's sticky cache size; --cache N sets
//           WORKER_MAX_CACHED_WORKFLOWS).
// dispatch  a backlog of stored events for contacts with a run each, handed to
//           Temporal, vs bare signals from one client at the same concurrency.
// ingest    POST /v1/events at concurrency 64 vs a bare Express + pg insert; in the
//           same run, a server without group commit (INGEST_POOL_SIZE=0) and one
//           with its dispatcher off, then the load while a backlog drains.
// waiting   N contacts (default 100,000) each with a run waiting 30 days: the
//           worker's resident set at every tenth, its peak, and its idle size.
// latency   event accepted -> email at the SMTP server, at 10/s and 100/s (or --rate),
//           with the time by phase (outbox, Temporal + worker) and by 10 s of sending;
//           --warmup S first sends S seconds' worth at the same rate, not counted.
//
// The last line is a JSON object with every figure.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ROOT } from '../stack/tools';
import { journeyDefinitionSchema } from '../journeys/schema';
import { publishJourney } from '../journeys/store';
import { insertContacts, insertEvents } from './support/backlog';
import { BENCH_API_KEY, startBenchStack, type BenchProcess, type BenchStack } from './support/stack';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const figures = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const want = (f: string) => figures.length === 0 || figures.includes(f);
const out: Record<string, unknown> = {};
const say = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<number>, target: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last = -1;
  let lastReport = 0;
  for (;;) {
    const n = await check();
    if (n >= target) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: ${n} of ${target} after ${timeoutMs} ms`);
    if (performance.now() - lastReport > 5000 && n !== last) {
      say(`    ${what}: ${n}/${target}`);
      lastReport = performance.now();
      last = n;
    }
    await sleep(250);
  }
}

/** N trivial workflows, started from one client at `concurrency`, each run to its end. */
async function trivialBaseline(stack: BenchStack, n: number, concurrency: number): Promise<number> {
  const taskQueue = `bench-trivial-${randomUUID().slice(0, 8)}`;
  const connection = await NativeConnection.connect({ address: stack.temporalAddress });
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(ROOT, 'bench', 'support', 'trivial-workflow.ts'),
    logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} },
  });
  let done = 0;
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: { touch: async () => void done++ } });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await client.workflow.start('trivialWorkflow', { taskQueue, workflowId: `bench-trivial-${taskQueue}-${i}`, args: [i] });
      }
    }),
  );
  while (done < n) await sleep(50);
  const ms = performance.now() - started;
  worker.shutdown();
  await running;
  await connection.close();
  await client.connection.close();
  return (n / ms) * 1000;
}

interface WorkerGauges {
  heapUsedMb: number | null;
  /** What V8 holds for the heap, used or not. */
  heapTotalMb: number | null;
  /** Memory outside the heap that JS objects own (Buffers, ArrayBuffers). */
  externalMb: number | null;
  cachedRuns: number | null;
}

/** From the worker's metrics port: its JS heap, external memory and the SDK's sticky cache (runs held in memory). */
async function workerGauges(worker: BenchProcess): Promise<WorkerGauges> {
  const url = worker.ready.metricsUrl;
  if (typeof url !== 'string') return { heapUsedMb: null, heapTotalMb: null, externalMb: null, cachedRuns: null };
  const text = await fetch(url).then((r) => r.text());
  const gauge = (name: string) => {
    const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))].map((m) => Number(m[1]));
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  };
  const mb = (name: string) => {
    const v = gauge(name);
    return v === null ? null : v / 2 ** 20;
  };
  return {
    heapUsedMb: mb('rapport_nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('rapport_nodejs_heap_size_total_bytes'),
    externalMb: mb('rapport_nodejs_external_memory_bytes'),
    cachedRuns: gauge('temporal_sticky_cache_size'),
  };
}

async function enrolFigure(contacts: number, cache: number | null) {
  say(`\n[enrol] ${contacts} contacts signing up (2 journey runs each)${cache === null ? '' : `, WORKER_MAX_CACHED_WORKFLOWS=${cache}`}`);
  const stack = await startBenchStack({ env: { DISPATCHER_ENABLED: 'true' } });
  try {
    // The baseline is taken before and after the figure (the machine's load drifts
    // by more than the effects measured), each on up to 4,000 trivial workflows.
    const baselineRuns = Math.min(contacts * 2, 4000);
    const before = await trivialBaseline(stack, baselineRuns, 64);
    say(`  baseline before: ${before.toFixed(1)} trivial workflows/s (${baselineRuns})`);
    const worker = await stack.startWorker(cache === null ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(cache) });
    const idleMb = worker.rssMb();
    const idle = await workerGauges(worker);
    const ids = await insertContacts(stack.db, contacts);
    await insertEvents(stack.db, ids, 'signed_up');
    const server = await stack.startServer();
    const waiting = () =>
      stack.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM journey_runs WHERE current_step IN ('wait_3_days', 'settle_in')`.then((r) => Number(r[0]!.n));
    let peakMb = idleMb;
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, worker.rssMb())), 500);
    // The resident set as the number waiting grows: flat once the cache is full, if runs outside it cost nothing.
    const byWaiting: ({ waiting: number; rssMb: number } & WorkerGauges)[] = [];
    const waitingAndRss = async () => {
      const n = await waiting();
      while (byWaiting.length < 4 && n >= (contacts * 2 * (byWaiting.length + 1)) / 4) {
        byWaiting.push({ waiting: n, rssMb: worker.rssMb(), ...(await workerGauges(worker)) });
      }
      return n;
    };
    const ms = await until('runs waiting', waitingAndRss, contacts * 2, 60 * 60_000);
    clearInterval(sampler);
    const runsPerSecond = ((contacts * 2) / ms) * 1000;
    const emails = stack.sink.count();
    await sleep(2000);
    const waitingMb = worker.rssMb();
    const busy = await workerGauges(worker);
    say(`  journeys: ${runsPerSecond.toFixed(1)} runs/s; baseline again, with the runs waiting`);
    const after = await trivialBaseline(stack, baselineRuns, 64);
    const baseline = (before + after) / 2;
    say(`  baseline after: ${after.toFixed(1)} trivial workflows/s; mean ${baseline.toFixed(1)}/s`);
    // What one run held in the sticky cache costs: the growth over idle, per cached run.
    const perCachedRunMb = busy.cachedRuns ? (waitingMb - idleMb) / busy.cachedRuns : null;
    const perCachedRunHeapMb =
      busy.cachedRuns && busy.heapUsedMb !== null && idle.heapUsedMb !== null
        ? (busy.heapUsedMb - idle.heapUsedMb) / busy.cachedRuns
        : null;
    say(`  journeys: ${runsPerSecond.toFixed(1)} runs/s (${((contacts / ms) * 1000).toFixed(1)} contacts/s), ${emails} welcome emails`);
    say(
      `  ratio: ${(runsPerSecond / baseline).toFixed(2)} runs per trivial workflow (${(runsPerSecond / Math.max(before, after)).toFixed(2)}–${(runsPerSecond / Math.min(before, after)).toFixed(2)} against either baseline)`,
    );
    say(
      `  worker memory: ${idleMb.toFixed(0)} MB idle, ${waitingMb.toFixed(0)} MB with ${contacts * 2} runs waiting (peak ${peakMb.toFixed(0)} MB)`,
    );
    const mbText = (v: number | null) => (v === null ? '?' : v.toFixed(0));
    say(
      `  worker memory as runs wait (RSS / heap used / heap total / external, MB): ${byWaiting
        .map(
          (m) => `${m.waiting} waiting ${mbText(m.rssMb)} / ${mbText(m.heapUsedMb)} / ${mbText(m.heapTotalMb)} / ${mbText(m.externalMb)}`,
        )
        .join(', ')}`,
    );
    say(
      `  worker heap used: ${idle.heapUsedMb?.toFixed(0) ?? '?'} MB idle, ${busy.heapUsedMb?.toFixed(0) ?? '?'} MB waiting; ${busy.cachedRuns ?? '?'} runs in the sticky cache; ` +
        `per cached run ${perCachedRunMb === null ? '?' : (perCachedRunMb * 1024).toFixed(0)} KB RSS, ${perCachedRunHeapMb === null ? '?' : (perCachedRunHeapMb * 1024).toFixed(0)} KB heap`,
    );
    out.enrol = {
      contacts,
      runs: contacts * 2,
      baselinePerSecond: baseline,
      baselineBeforePerSecond: before,
      baselineAfterPerSecond: after,
      baselineRuns,
      runsPerSecond,
      ratio: runsPerSecond / baseline,
      workerIdleMb: idleMb,
      workerWaitingMb: waitingMb,
      workerPeakMb: peakMb,
      workerMbByWaiting: byWaiting,
      workerHeapIdleMb: idle.heapUsedMb,
      workerHeapWaitingMb: busy.heapUsedMb,
      cachedRuns: busy.cachedRuns,
      perCachedRunKb: perCachedRunMb === null ? null : perCachedRunMb * 1024,
      perCachedRunHeapKb: perCachedRunHeapMb === null ? null : perCachedRunHeapMb * 1024,
      emails,
    };
    await server.stop();
  } finally {
    await stack.close();
  }
}

/**
 * A journey whose runs wait a month and listen for `bench_ping` (a goal whose
 * `where` never matches): every ping must reach every run, and none ends it.
 */
const LISTENER = journeyDefinitionSchema.parse({
  key: 'bench_listener',
  name: 'Benchmark listener',
  trigger: { type: 'event', event: 'bench_enrol' },
  reentry: 'once',
  goals: [{ event: 'bench_ping', where: { never: 'true' }, outcome: 'converted' }],
  steps: [{ id: 'listen', type: 'wait', duration: '30d' }],
});

/**
 * The worker's memory as runs pile up waiting: N contacts, each with a run of
 * the listener journey (one 30-day wait), the resident set sampled at every
 * tenth of the way. The goal is absolute (100,000 waiting under 1 GB); the
 * same run's idle worker is the reference.
 */
async function waitingFigure(contacts: number) {
  say(`\n[waiting] ${contacts} contacts, each with a run waiting 30 days (bench_listener): the worker's memory as they accumulate`);
  const stack = await startBenchStack();
  try {
    await publishJourney(stack.db, LISTENER);
    const worker = await stack.startWorker();
    const idleMb = worker.rssMb();
    const ids = await insertContacts(stack.db, contacts);
    await insertEvents(stack.db, ids, 'bench_enrol', 1, 'enrol');
    const server = await stack.startServer();
    let peakMb = idleMb;
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, worker.rssMb())), 500);
    const samples: ({ waiting: number; rssMb: number } & WorkerGauges)[] = [];
    const listening = async () => {
      const [row] = await stack.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM journey_runs WHERE current_step = 'listen'`;
      const n = Number(row!.n);
      while (samples.length < 10 && n >= (contacts * (samples.length + 1)) / 10) {
        const s = { waiting: n, rssMb: worker.rssMb(), ...(await workerGauges(worker)) };
        samples.push(s);
        say(
          `    ${s.waiting} waiting: worker ${s.rssMb.toFixed(0)} MB RSS, heap used ${s.heapUsedMb?.toFixed(0) ?? '?'} MB, ${s.cachedRuns ?? '?'} runs cached`,
        );
      }
      return n;
    };
    const ms = await until('runs waiting', listening, contacts, 6 * 60 * 60_000);
    clearInterval(sampler);
    await sleep(2000);
    const endMb = worker.rssMb();
    say(`  ${contacts} runs waiting after ${(ms / 1000).toFixed(0)} s (${((contacts / ms) * 1000).toFixed(1)} runs/s)`);
    say(`  worker memory: ${idleMb.toFixed(0)} MB idle, ${endMb.toFixed(0)} MB with ${contacts} waiting, peak ${peakMb.toFixed(0)} MB`);
    out.waiting = { contacts, seconds: ms / 1000, workerIdleMb: idleMb, workerEndMb: endMb, workerPeakMb: peakMb, samples };
    await server.stop();
  } finally {
    await stack.close();
  }
}

async function dispatchFigure(contacts: number, events: number) {
  say(`\n[dispatch] a backlog of ${events} events for ${contacts} contacts with a listening run each`);
  const stack = await startBenchStack();
  try {
    await publishJourney(stack.db, LISTENER);
    const worker = await stack.startWorker();
    const ids = await insertContacts(stack.db, contacts);
    await insertEvents(stack.db, ids, 'bench_enrol', 1, 'enrol');
    let server = await stack.startServer();
    const listening = () =>
      stack.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM journey_runs WHERE current_step = 'listen'`.then((r) =>
        Number(r[0]!.n),
      );
    await until('runs listening', listening, contacts, 30 * 60_000);
    await server.stop();

    // Baseline: the same number of signals to the same runs, straight from one client.
    const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
    const runs = (await stack.db.journeyRun.findMany({ select: { workflowId: true } })).map((r) => r.workflowId);
    const perRun = Math.ceil(events / runs.length);
    let t = performance.now();
    let next = 0;
    const signals = runs.flatMap((wf) => Array.from({ length: perRun }, () => wf)).slice(0, events);
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < signals.length) {
          const wf = signals[next++]!;
          await client.workflow
            .getHandle(wf)
            .signal('event', { eventId: randomUUID(), type: 'bench_ping', properties: {}, occurredAt: new Date().toISOString() });
        }
      }),
    );
    const baseline = (signals.length / (performance.now() - t)) * 1000;
    say(`  baseline: ${baseline.toFixed(0)} signals/s from one client at concurrency 64`);
    await client.connection.close();

    await insertEvents(stack.db, ids, 'bench_ping', Math.ceil(events / contacts), 'ping');
    const total = Math.ceil(events / contacts) * contacts;
    const pending = () =>
      stack.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM events WHERE dispatched_at IS NOT NULL AND type = 'bench_ping'`.then(
        (r) => Number(r[0]!.n),
      );
    server = await stack.startServer();
    t = performance.now();
    const ms = await until('events dispatched', pending, total, 60 * 60_000);
    const perSecond = (total / ms) * 1000;
    say(`  dispatcher: ${perSecond.toFixed(0)} events/s (each one signal)`);
    say(`  ratio: ${(perSecond / baseline).toFixed(2)} of bare signals`);
    out.dispatch = {
      contacts,
      events: total,
      baselineSignalsPerSecond: baseline,
      eventsPerSecond: perSecond,
      ratio: perSecond / baseline,
      workerMb: worker.rssMb(),
    };
  } finally {
    await stack.close();
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `total` POSTs at `concurrency`; statuses and latencies. */
async function load(url: string, total: number, concurrency: number, body: (i: number) => unknown, headers: Record<string, string>) {
  const times: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        // A connection refused or timed out (a loaded machine) counts as status 0, not a crash.
        const status = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body(i)),
        }).then(
          async (res) => (await res.arrayBuffer(), res.status),
          () => 0,
        );
        times.push(performance.now() - t);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const ms = performance.now() - t0;
  times.sort((a, b) => a - b);
  return { perSecond: (total / ms) * 1000, p50: quantile(times, 0.5), p99: quantile(times, 0.99), statuses: Object.fromEntries(statuses) };
}

/** A bare Express + pg endpoint that inserts each body into a table: the fastest honest ingest on this PostgreSQL. */
async function bareIngestServer(databaseUrl: string) {
  const { default: express } = await import('express');
  const pg = await import('pg');
  const pool = new pg.default.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_bare_events (id bigserial PRIMARY KEY, key text UNIQUE, body jsonb, received_at timestamptz DEFAULT now())',
  );
  const app = express();
  app.use(express.json());
  app.post('/events', async (req, res) => {
    const b = req.body as { id: string };
    await pool.query('INSERT INTO bench_bare_events (key, body) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [b.id, b]);
    res.status(202).json({ id: b.id });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/events`, close: async () => (server.close(), await pool.end()) };
}

async function ingestFigure(requests: number) {
  say(`\n[ingest] ${requests} POST /v1/events at concurrency 64`);
  const stack = await startBenchStack();
  try {
    const body = (prefix: string) => (i: number) => ({
      id: `${prefix}-${i}`,
      type: 'page_viewed',
      contact: { email: `ingest${i % 5000}@example.com` },
      properties: { path: `/p/${i % 50}` },
    });
    const bare = await bareIngestServer(stack.databaseUrl);
    await load(bare.url, 500, 64, body('warm-bare'), {});
    const baseline = await load(bare.url, requests, 64, body('bare'), {});
    await bare.close();
    say(
      `  baseline (bare Express + pg insert): ${baseline.perSecond.toFixed(0)}/s, p50 ${baseline.p50.toFixed(1)} ms, p99 ${baseline.p99.toFixed(1)} ms`,
    );
    // The server as `npm start` runs it: its own process, the dispatcher on, a worker beside it.
    await stack.startWorker();
    const server = await stack.startServer();
    const auth = { authorization: `Bearer ${BENCH_API_KEY}` };
    await load(`${server.url}/v1/events`, 500, 64, body('warm'), auth);
    const r = await load(`${server.url}/v1/events`, requests, 64, body('rapport'), auth);
    say(
      `  Rapport: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, statuses ${JSON.stringify(r.statuses)}`,
    );
    say(`  ratio: ${(r.perSecond / baseline.perSecond).toFixed(2)} of the bare insert`);
    // The same server without group commit (each event its own statement through
    // Prisma, as before events/group-commit.ts), same run, same database.
    const single = await stack.startServer({ INGEST_POOL_SIZE: '0' });
    await load(`${single.url}/v1/events`, 500, 64, body('warm-single'), auth);
    const s1 = await load(`${single.url}/v1/events`, requests, 64, body('single'), auth);
    await single.stop();
    say(
      `  Rapport without group commit (INGEST_POOL_SIZE=0): ${s1.perSecond.toFixed(0)}/s, p50 ${s1.p50.toFixed(1)} ms, p99 ${s1.p99.toFixed(1)} ms, statuses ${JSON.stringify(s1.statuses)}; ratio ${(s1.perSecond / baseline.perSecond).toFixed(2)} of the bare insert`,
    );
    // What the dispatcher in the same process costs ingest: the same server with it off.
    const noDispatch = await stack.startServer({ DISPATCHER_ENABLED: 'false' });
    await load(`${noDispatch.url}/v1/events`, 500, 64, body('warm-nodispatch'), auth);
    const nd = await load(`${noDispatch.url}/v1/events`, requests, 64, body('nodispatch'), auth);
    await noDispatch.stop();
    say(
      `  Rapport with its dispatcher off (DISPATCHER_ENABLED=false): ${nd.perSecond.toFixed(0)}/s, p50 ${nd.p50.toFixed(1)} ms, p99 ${nd.p99.toFixed(1)} ms; ratio ${(nd.perSecond / baseline.perSecond).toFixed(2)} of the bare insert`,
    );
    // The same load while the server's dispatcher drains a backlog (events no
    // journey listens to: all database work, at the dispatcher's full speed).
    const ids = await insertContacts(stack.db, 5000, 1_000_000);
    const backlogEvents = await insertEvents(stack.db, ids, 'bench_backlog', 4, 'backlog');
    const drained = () =>
      stack.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM events WHERE type = 'bench_backlog' AND dispatched_at IS NOT NULL`.then(
        (x) => Number(x[0]!.n),
      );
    const before = await drained();
    const d = await load(`${server.url}/v1/events`, requests, 64, body('draining'), auth);
    const during = (await drained()) - before;
    say(
      `  Rapport while the dispatcher drains a backlog of ${backlogEvents}: ${d.perSecond.toFixed(0)}/s, p50 ${d.p50.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms, statuses ${JSON.stringify(d.statuses)}; ${during} backlog events dispatched meanwhile`,
    );
    say(`  ratio: ${(d.perSecond / r.perSecond).toFixed(2)} of ingest alone`);
    out.ingest = {
      requests,
      baselinePerSecond: baseline.perSecond,
      baselineP99Ms: baseline.p99,
      perSecond: r.perSecond,
      p50Ms: r.p50,
      p99Ms: r.p99,
      ratio: r.perSecond / baseline.perSecond,
      statuses: r.statuses,
      dispatcherOff: { perSecond: nd.perSecond, p50Ms: nd.p50, p99Ms: nd.p99, ratio: nd.perSecond / baseline.perSecond },
      withoutGroupCommit: {
        perSecond: s1.perSecond,
        p50Ms: s1.p50,
        p99Ms: s1.p99,
        ratio: s1.perSecond / baseline.perSecond,
        statuses: s1.statuses,
      },
      whileDraining: {
        backlog: backlogEvents,
        dispatchedMeanwhile: during,
        perSecond: d.perSecond,
        p50Ms: d.p50,
        p99Ms: d.p99,
        ratioToAlone: d.perSecond / r.perSecond,
        statuses: d.statuses,
      },
    };
  } finally {
    await stack.close();
  }
}

/**
 * Where the time of event -> email goes, from the rows' own timestamps:
 * stored -> dispatched (the outbox), dispatched -> send row written (Temporal
 * starts the run, the worker runs its first workflow task and schedules the
 * send). The rest (render, SMTP) is the total minus these; `sent_at` and
 * `created_at` come from different clocks (Node.js, PostgreSQL), too close
 * to subtract.
 */
async function latencyPhases(stack: BenchStack, keys: string) {
  const rows = await stack.db.$queryRaw<{ key: string; stored: number; dispatched: number | null; queued: number | null }[]>`
    SELECT e.idempotency_key AS key, EXTRACT(EPOCH FROM e.received_at) * 1000 AS stored, EXTRACT(EPOCH FROM e.dispatched_at) * 1000 AS dispatched,
           EXTRACT(EPOCH FROM m.created_at) * 1000 AS queued
    FROM events e LEFT JOIN message_sends m ON m.contact_id = e.contact_id AND m.journey_key = 'welcome'
    WHERE e.idempotency_key LIKE ${keys}`;
  const phase = (f: (r: (typeof rows)[number]) => number | null) => {
    const v = rows
      .map(f)
      .filter((x): x is number => x !== null && Number.isFinite(x))
      .sort((a, b) => a - b);
    return { p50: quantile(v, 0.5), p99: quantile(v, 0.99) };
  };
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : Number(b) - Number(a));
  // BENCH_LATENCY_DUMP=FILE: every event's timestamps, for a closer look at the tail.
  if (process.env.BENCH_LATENCY_DUMP)
    writeFileSync(
      `${process.env.BENCH_LATENCY_DUMP}.phases`,
      JSON.stringify(rows.map((r) => [r.key, Number(r.stored), Number(r.dispatched), Number(r.queued)])),
    );
  return {
    toDispatch: phase((r) => diff(r.stored, r.dispatched)),
    toSendRow: phase((r) => diff(r.dispatched, r.queued)),
  };
}

interface Sending {
  /** Email -> when its POST was answered 202 (performance.now()). */
  accepted: Map<string, number>;
  failedPosts: number;
  total: number;
  emails: string[];
  t0: number;
}

/** POSTs `rate` sign-ups per second for `seconds`, each a new contact `<prefix>-<i>@example.com`, and waits for their welcome emails (at most 120 s). */
async function signUpsAtRate(stack: BenchStack, url: string, prefix: string, rate: number, seconds: number): Promise<Sending> {
  const accepted = new Map<string, number>();
  let failedPosts = 0;
  const total = rate * seconds;
  const emails: string[] = [];
  const t0 = performance.now();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const email = `${prefix}-${i}@example.com`;
    emails.push(email);
    posts.push(
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `${prefix}-${i}`, type: 'signed_up', contact: { email } }),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          if (res.status === 202) accepted.set(email, performance.now());
        },
        () => void failedPosts++,
      ),
    );
  }
  await Promise.all(posts);
  const deadline = performance.now() + 120_000;
  while ([...accepted.keys()].some((e) => !stack.sink.arrivals.has(e)) && performance.now() < deadline) await sleep(200);
  return { accepted, failedPosts, total, emails, t0 };
}

/** Accepted -> at the SMTP server, ms, sorted (Infinity: not mailed). */
function latenciesOf(stack: BenchStack, accepted: Map<string, number>, emails: Iterable<string> = accepted.keys()): number[] {
  const out: number[] = [];
  for (const e of emails) {
    const t = accepted.get(e);
    if (t !== undefined) out.push((stack.sink.arrivals.get(e) ?? Number.POSITIVE_INFINITY) - t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Steady `rate` sign-ups per second for `seconds`: POST accepted -> welcome
 * email at the SMTP server. `warmupSeconds` first sends as many seconds' worth
 * at the same rate, not counted, so the figure is the stack's steady state
 * rather than its first minute (the cold start shows in the first 10 s window
 * without it).
 */
async function latencyFigure(rates: number[], seconds: number, warmupSeconds: number) {
  const stack = await startBenchStack();
  try {
    await stack.startWorker();
    const server = await stack.startServer();
    const result: Record<string, unknown> = {};
    for (const rate of rates) {
      if (warmupSeconds > 0) {
        const warm = await signUpsAtRate(stack, server.url, `warm-${rate}`, rate, warmupSeconds);
        const lat = latenciesOf(stack, warm.accepted);
        say(
          `\n[latency] warm-up: ${rate} sign-ups/s for ${warmupSeconds} s (not counted): p50 ${quantile(lat, 0.5).toFixed(0)} ms, p99 ${quantile(lat, 0.99).toFixed(0)} ms`,
        );
      }
      say(`\n[latency] ${rate} sign-ups/s for ${seconds} s, event accepted -> email at the SMTP server`);
      const { accepted, failedPosts, total, emails, t0 } = await signUpsAtRate(stack, server.url, `lat-${rate}`, rate, seconds);
      const lat = latenciesOf(stack, accepted);
      const missing = lat.filter((x) => !Number.isFinite(x)).length;
      say(
        `  ${accepted.size} accepted of ${total}${failedPosts ? ` (${failedPosts} POSTs failed to connect)` : ''}; p50 ${quantile(lat, 0.5).toFixed(0)} ms, p99 ${quantile(lat, 0.99).toFixed(0)} ms${missing ? `, ${missing} not mailed within 120 s` : ''}`,
      );
      // Where in the minute the tail sits (a cold start, a stall, or all along): p50 / p99 per 10 s of sending.
      const windows: { from: number; p50: number; p99: number; max: number }[] = [];
      for (let from = 0; from < seconds; from += 10) {
        const inWindow = latenciesOf(stack, accepted, emails.slice(from * rate, (from + 10) * rate));
        windows.push({ from, p50: quantile(inWindow, 0.5), p99: quantile(inWindow, 0.99), max: inWindow.at(-1) ?? 0 });
      }
      say(
        `  by 10 s of sending (p50 / p99 / max ms): ${windows.map((w) => `${w.from}s ${w.p50.toFixed(0)}/${w.p99.toFixed(0)}/${w.max.toFixed(0)}`).join(', ')}`,
      );
      // BENCH_LATENCY_DUMP=FILE: each sign-up's answer and arrival (ms from the first POST), for a closer look at the tail.
      if (process.env.BENCH_LATENCY_DUMP)
        writeFileSync(
          `${process.env.BENCH_LATENCY_DUMP}.${rate}.sent`,
          JSON.stringify([...accepted].map(([e, t]) => [e, t - t0, (stack.sink.arrivals.get(e) ?? Number.NaN) - t0])),
        );
      const phases = await latencyPhases(stack, `api:lat-${rate}-%`);
      say(
        `  by phase (p50 / p99 ms): ${Object.entries(phases)
          .map(([k, v]) => `${k} ${v.p50.toFixed(0)} / ${v.p99.toFixed(0)}`)
          .join(', ')}`,
      );
      result[`${rate}perSecond`] = {
        accepted: accepted.size,
        failedPosts,
        total,
        warmupSeconds,
        p50Ms: quantile(lat, 0.5),
        p99Ms: quantile(lat, 0.99),
        missing,
        windows,
        phases,
      };
    }
    out.latency = result;
  } finally {
    await stack.close();
  }
}

const started = Date.now();
if (want('ingest')) await ingestFigure(flag('requests', 5000));
if (want('latency')) await latencyFigure(flag('rate', 0) > 0 ? [flag('rate', 0)] : [10, 100], flag('seconds', 30), flag('warmup', 0));
if (want('dispatch')) await dispatchFigure(flag('contacts', 1000), flag('events', 50_000));
if (figures.includes('waiting')) await waitingFigure(flag('contacts', 100_000));
if (want('enrol')) await enrolFigure(flag('contacts', 2000), args.includes('--cache') ? flag('cache', 1000) : null);
say(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s`);
say(JSON.stringify(out));
process.exit(0);
