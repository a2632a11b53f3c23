// The production shape for benchmarks, on one machine: embedded PostgreSQL
// (fresh data directory), a Temporal dev server with file persistence (as
// `npm start` runs it), a counting SMTP sink, and the worker and server as
// separate processes started with `cli/rapport.ts`, as an operator runs them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../db/migrate';
import { seedShippedContent } from '../../db/seed';
import { createDb, type Db } from '../../lib/db';
import { freePort } from '../../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres } from '../../stack/postgres';
import { startTemporalDevServer } from '../../stack/temporal';
import { startRole, type RoleProcess } from '../../stack/role-process';
import { startCountingSink, type CountingSink } from './counting-sink';

export const BENCH_API_KEY = 'bench-key-0123456789abcdef';

/** The secrets every benchmark's Rapport processes get (throw-away values). */
export const BENCH_SECRETS = {
  RAPPORT_API_KEYS: BENCH_API_KEY,
  WEBHOOK_SECRETS: 'shop=bench-secret-0123456789',
  LINK_SIGNING_SECRET: 'bench-link-0123456789abcdef',
} as const;

export type BenchProcess = RoleProcess;

export interface BenchStack {
  db: Db;
  databaseUrl: string;
  temporalAddress: string;
  sink: CountingSink;
  /** The environment every Rapport process of this stack gets. */
  env: Record<string, string>;
  startWorker(extra?: Record<string, string>): Promise<BenchProcess>;
  startServer(extra?: Record<string, string>): Promise<BenchProcess & { url: string }>;
  close(): Promise<void>;
}

/** Benchmarks keep the processes' logs out of their report, except warnings and errors. */
const quiet = (line: string) => {
  if (/"level":(40|50|60)/.test(line)) process.stderr.write(`${line}\n`);
};

export async function startBenchStack(
  opts: { env?: Record<string, string>; poolSize?: number; sqliteSync?: 'normal' | 'off'; sinkLatencyMs?: number } = {},
): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const temporal = await startTemporalDevServer({
    dbFile: join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: null,
    sqliteSync: opts.sqliteSync ?? (process.env.BENCH_SQLITE_SYNC === 'off' ? 'off' : 'normal'),
  });
  const sink = await startCountingSink({ latencyMs: opts.sinkLatencyMs });
  await pg.createDatabase('bench');
  const databaseUrl = pg.url('bench');
  await migrate(databaseUrl);
  const db = createDb(databaseUrl, opts.poolSize ?? 10);
  await seedShippedContent(db);
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    SMTP_URL: sink.smtpUrl,
    ...BENCH_SECRETS,
    FREQUENCY_CAP_PER_7D: '0',
    // Several workers (and other benchmarks) on one machine: each takes a free metrics port.
    WORKER_METRICS_PORT: '0',
    ...opts.env,
  };
  const procs: BenchProcess[] = [];
  const track = <P extends BenchProcess>(p: P): P => (procs.push(p), p);
  // An interrupted benchmark (Ctrl-C, a timeout) still stops what it started.
  let closing: Promise<void> | null = null;
  const onSignal = () => void (closing ?? stack.close()).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stack: BenchStack = {
    db,
    databaseUrl,
    temporalAddress: temporal.address,
    sink,
    env,
    async startWorker(extra = {}) {
      // BENCH_WORKER_PROFILE=DIR: each worker writes a V8 CPU profile (.cpuprofile) there when it stops.
      // BENCH_WORKER_NODE_ARGS: node options for the worker (e.g. V8 heap flags), space-separated.
      const dir = process.env.BENCH_WORKER_PROFILE;
      const nodeArgs = [
        ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
        ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ];
      return track(await startRole('worker', { ...process.env, ...env, ...extra }, { out: quiet, nodeArgs }));
    },
    async startServer(extra = {}) {
      const port = await freePort();
      // BENCH_SERVER_PROFILE=DIR: each server writes a V8 CPU profile (.cpuprofile) there when it stops.
      const dir = process.env.BENCH_SERVER_PROFILE;
      const nodeArgs = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
      const p = track(await startRole('server', { ...process.env, ...env, HTTP_PORT: String(port), ...extra }, { out: quiet, nodeArgs }));
      return Object.assign(p, { url: `http://127.0.0.1:${port}` });
    },
    close() {
      closing ??= (async () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        for (const p of procs.reverse()) await p.stop();
        await db.$disconnect();
        await sink.close();
        await temporal.stop();
        await pg.stop();
        removeEmbeddedData(join(dir, 'postgres'));
        rmSync(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  return stack;
}
