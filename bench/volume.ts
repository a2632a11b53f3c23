// Journeys at volume: how Rapport's engine keeps up with a business's contact
// list, each figure against a baseline measured in the same run on the same
// servers (2 shared cores here: read the ratios, not the seconds).
//
//   npm run bench:volume -- [figures] [--contacts N] [--events N] [--requests N]
//   figures: enrol dispatch ingest latency (default: all)
//
// enrol     N contacts' stored `signed_up` events (welcome + nurture: 2 runs each)
//           until every run waits at its first wait, vs N trivial one-activity
//           workflows started and finished on the same Temporal server. Also the
//           worker's memory with those runs waiting, and per cached run.
// dispatch  a backlog of stored events for contacts with a run each, handed to
//           Temporal, vs bare signals from one client at the same concurrency.
// ingest    POST /v1/events at concurrency 64 vs a bare Express + pg insert.
// latency   event accepted -> email at the SMTP server, at 10/s and 100/s.
//
// The last line is a JSON object with every figure.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { join } from 'node:path';
import { ROOT } from '../stack/tools';
import { journeyDefinitionSchema } from '../journeys/schema';
import { publishJourney } from '../journeys/store';
import { insertContacts, insertEvents } from './support/backlog';
import { BENCH_API_KEY, startBenchStack, type BenchStack } from './support/stack';

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
  const bundle = await bundleWorkflowCode({ workflowsPath: join(ROOT, 'bench', 'support', 'trivial-workflow.ts'), logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } });
  let done = 0;
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: { touch: async () => void done++ } });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      await client.workflow.start('trivialWorkflow', { taskQueue, workflowId: `bench-trivial-${taskQueue}-${i}`, args: [i] });
    }
  }));
  while (done < n) await sleep(50);
  const ms = performance.now() - started;
  worker.shutdown();
  await running;
  await connection.close();
  await client.connection.close();
  return (n / ms) * 1000;
}

async function enrolFigure(contacts: number) {
  say(`\n[enrol] ${contacts} contacts signing up (2 journey runs each)`);
  const stack = await startBenchStack({ env: { DISPATCHER_ENABLED: 'true' } });
  try {
    const baseline = await trivialBaseline(stack, contacts * 2, 64);
    say(`  baseline: ${baseline.toFixed(1)} trivial workflows/s`);
    const worker = await stack.startWorker();
    const idleMb = worker.rssMb();
    const ids = await insertContacts(stack.db, contacts);
    await insertEvents(stack.db, ids, 'signed_up');
    const server = await stack.startServer();
    const waiting = () => stack.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM journey_runs WHERE current_step IN ('wait_3_days', 'settle_in')`.then((r) => Number(r[0]!.n));
    let peakMb = idleMb;
    const sampler = setInterval(() => (peakMb = Math.max(peakMb, worker.rssMb())), 500);
    const ms = await until('runs waiting', waiting, contacts * 2, 60 * 60_000);
    clearInterval(sampler);
    const runsPerSecond = ((contacts * 2) / ms) * 1000;
    const emails = stack.sink.count();
    await sleep(2000);
    const waitingMb = worker.rssMb();
    say(`  journeys: ${runsPerSecond.toFixed(1)} runs/s (${((contacts / ms) * 1000).toFixed(1)} contacts/s), ${emails} welcome emails`);
    say(`  ratio: ${(runsPerSecond / baseline).toFixed(2)} runs per trivial workflow`);
    say(`  worker memory: ${idleMb.toFixed(0)} MB idle, ${waitingMb.toFixed(0)} MB with ${contacts * 2} runs waiting (peak ${peakMb.toFixed(0)} MB)`);
    out.enrol = { contacts, runs: contacts * 2, baselinePerSecond: baseline, runsPerSecond, ratio: runsPerSecond / baseline, workerIdleMb: idleMb, workerWaitingMb: waitingMb, workerPeakMb: peakMb, emails };
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

async function dispatchFigure(contacts: number, events: number) {
  say(`\n[dispatch] a backlog of ${events} events for ${contacts} contacts with a listening run each`);
  const stack = await startBenchStack();
  try {
    await publishJourney(stack.db, LISTENER);
    const worker = await stack.startWorker();
    const ids = await insertContacts(stack.db, contacts);
    await insertEvents(stack.db, ids, 'bench_enrol', 1, 'enrol');
    let server = await stack.startServer();
    const listening = () => stack.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM journey_runs WHERE current_step = 'listen'`.then((r) => Number(r[0]!.n));
    await until('runs listening', listening, contacts, 30 * 60_000);
    await server.stop();

    // Baseline: the same number of signals to the same runs, straight from one client.
    const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
    const runs = (await stack.db.journeyRun.findMany({ select: { workflowId: true } })).map((r) => r.workflowId);
    const perRun = Math.ceil(events / runs.length);
    let t = performance.now();
    let next = 0;
    const signals = runs.flatMap((wf) => Array.from({ length: perRun }, () => wf)).slice(0, events);
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < signals.length) {
        const wf = signals[next++]!;
        await client.workflow.getHandle(wf).signal('event', { eventId: randomUUID(), type: 'bench_ping', properties: {}, occurredAt: new Date().toISOString() });
      }
    }));
    const baseline = (signals.length / (performance.now() - t)) * 1000;
    say(`  baseline: ${baseline.toFixed(0)} signals/s from one client at concurrency 64`);
    await client.connection.close();

    await insertEvents(stack.db, ids, 'bench_ping', Math.ceil(events / contacts), 'ping');
    const total = Math.ceil(events / contacts) * contacts;
    const pending = () => stack.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM events WHERE dispatched_at IS NOT NULL AND type = 'bench_ping'`.then((r) => Number(r[0]!.n));
    server = await stack.startServer();
    t = performance.now();
    const ms = await until('events dispatched', pending, total, 60 * 60_000);
    const perSecond = (total / ms) * 1000;
    say(`  dispatcher: ${perSecond.toFixed(0)} events/s (each one signal)`);
    say(`  ratio: ${(perSecond / baseline).toFixed(2)} of bare signals`);
    out.dispatch = { contacts, events: total, baselineSignalsPerSecond: baseline, eventsPerSecond: perSecond, ratio: perSecond / baseline, workerMb: worker.rssMb() };
  } finally {
    await stack.close();
  }
}

const started = Date.now();
if (want('dispatch')) await dispatchFigure(flag('contacts', 1000), flag('events', 50_000));
if (want('enrol')) await enrolFigure(flag('contacts', 2000));
say(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s`);
say(JSON.stringify(out));
process.exit(0);
