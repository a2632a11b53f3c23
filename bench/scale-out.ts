// Does scaling out scale? In one run, on one Temporal dev server and one
// PostgreSQL: 1 worker + 1 server, then 2 workers + 2 servers, all processes
// (cli/rapport.ts). Each phase POSTs N sign-ups spread over its servers and
// times from the first POST until N welcome emails reached an SMTP sink that
// answers each message after a fixed delay, like a remote relay. Prints
// emails/s for both, the ratio, and a last line of JSON.
// Run: npm run bench:scale-out -- [N] [--latency-ms 100]
import { cpus, loadavg } from 'node:os';
import pMap from 'p-map';
import { BENCH_API_KEY, startBenchStack, type BenchProcess } from './support/stack';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 600);
const LATENCY_MS = flag('--latency-ms', 100);
/** SMTP connections per worker process: with a 100 ms relay, one worker's ceiling is POOL × 10 emails/s. */
const POOL = flag('--smtp-pool', 5);

const stack = await startBenchStack({ sinkLatencyMs: LATENCY_MS, env: { SMTP_POOL_SIZE: String(POOL) } });

interface Phase {
  workers: number;
  servers: number;
  events: number;
  seconds: number;
  emailsPerSecond: number;
  ingestSeconds: number;
  load: number;
}

async function phase(workers: number, servers: number, offset: number): Promise<Phase> {
  const procs: BenchProcess[] = [];
  try {
    const started = await Promise.all([
      ...Array.from({ length: servers }, () => stack.startServer()),
      ...Array.from({ length: workers }, () => stack.startWorker()),
    ]);
    procs.push(...started);
    const urls = started.slice(0, servers).map((s) => (s as BenchProcess & { url: string }).url);
    const before = stack.sink.count();
    const t0 = performance.now();
    await pMap(
      Array.from({ length: N }, (_, i) => i),
      async (i) => {
        const url = urls[i % urls.length]!;
        for (;;) {
          const r = await fetch(`${url}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              id: `scale-${offset + i}`,
              type: 'signed_up',
              contact: { email: `scale${offset + i}@example.com`, firstName: 'Scale' },
            }),
          });
          await r.arrayBuffer();
          if (r.status === 202) return;
          if (r.status !== 429 && r.status !== 503) throw new Error(`POST /v1/events answered ${r.status}`);
          await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after') ?? 1) * 1000));
        }
      },
      { concurrency: 16 * servers },
    );
    const ingestSeconds = (performance.now() - t0) / 1000;
    await stack.sink.waitForCount(before + N, 15 * 60_000);
    const seconds = (performance.now() - t0) / 1000;
    return { workers, servers, events: N, seconds, emailsPerSecond: N / seconds, ingestSeconds, load: loadavg()[0]! };
  } finally {
    // Servers first (stop taking and dispatching), then workers.
    for (const p of procs.reverse()) await p.stop();
  }
}

try {
  const one = await phase(1, 1, 0);
  process.stdout.write(
    `1 worker + 1 server:   ${N} welcome emails in ${one.seconds.toFixed(1)} s = ${one.emailsPerSecond.toFixed(1)} emails/s (ingest ${one.ingestSeconds.toFixed(1)} s, load ${one.load.toFixed(1)})\n`,
  );
  const two = await phase(2, 2, N);
  process.stdout.write(
    `2 workers + 2 servers: ${N} welcome emails in ${two.seconds.toFixed(1)} s = ${two.emailsPerSecond.toFixed(1)} emails/s (ingest ${two.ingestSeconds.toFixed(1)} s, load ${two.load.toFixed(1)})\n`,
  );
  const ratio = two.emailsPerSecond / one.emailsPerSecond;
  process.stdout.write(
    `ratio 2x/1x: ${ratio.toFixed(2)}  (SMTP relay latency ${LATENCY_MS} ms, ${POOL} SMTP connections per worker: ceiling ${(POOL * 1000) / LATENCY_MS} emails/s per worker; ${cpus().length} cores)\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ bench: 'scale-out', events: N, latencyMs: LATENCY_MS, smtpPoolPerWorker: POOL, cores: cpus().length, one, two, ratio })}\n`,
  );
} finally {
  await stack.close();
}
