// The production shape for benchmarks, on one machine: embedded PostgreSQL
// (fresh data directory), a Temporal dev server with file persistence (as
// `npm start` runs it), a counting SMTP sink, and the worker and server as
// separate processes started with `cli/rapport.ts`, as an operator runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../db/migrate';
import { seedShippedContent } from '../../db/seed';
import { createDb, type Db } from '../../lib/db';
import { freePort } from '../../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres } from '../../stack/postgres';
import { startTemporalDevServer } from '../../stack/temporal';
import { ROOT } from '../../stack/tools';
import { startCountingSink, type CountingSink } from './counting-sink';

export const BENCH_API_KEY = 'bench-key-0123456789abcdef';

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  /** Resident set size now, in MB (from /proc). */
  rssMb(): number;
  stop(): Promise<void>;
}

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

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Starts `cli/rapport.ts <role>` and resolves once its log says `ready`. */
function spawnRole(role: 'worker' | 'server', env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'rapport.ts'), role], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-8000);
      const line = tail.split('\n').find((l) => ready.test(l));
      if (line) resolve({ child, line });
      // Keep draining the pipe so a chatty process never blocks on it.
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-8000)));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before it was ready:\n${tail}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => (clearTimeout(t), resolve()));
    child.kill('SIGTERM');
  });
}

export async function startBenchStack(opts: { env?: Record<string, string>; poolSize?: number; sqliteSync?: 'normal' | 'off' } = {}): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const temporal = await startTemporalDevServer({ dbFile: join(dir, 'temporal.db'), port: await freePort(), uiPort: null, sqliteSync: opts.sqliteSync ?? (process.env.BENCH_SQLITE_SYNC === 'off' ? 'off' : 'normal') });
  const sink = await startCountingSink();
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
    RAPPORT_API_KEYS: BENCH_API_KEY,
    WEBHOOK_SECRETS: 'shop=bench-secret-0123456789',
    LINK_SIGNING_SECRET: 'bench-link-0123456789abcdef',
    FREQUENCY_CAP_PER_7D: '0',
    ...opts.env,
  };
  const procs: BenchProcess[] = [];
  const wrap = (name: string, child: ChildProcess): BenchProcess => {
    const p: BenchProcess = { name, child, rssMb: () => rssMb(child.pid!), stop: () => stopChild(child) };
    procs.push(p);
    return p;
  };
  return {
    db,
    databaseUrl,
    temporalAddress: temporal.address,
    sink,
    env,
    async startWorker(extra = {}) {
      const { child } = await spawnRole('worker', { ...env, ...extra }, /"msg":"worker running"/);
      return wrap('worker', child);
    },
    async startServer(extra = {}) {
      const port = await freePort();
      const { child } = await spawnRole('server', { ...env, HTTP_PORT: String(port), ...extra }, /"msg":"HTTP server listening"/);
      return { ...wrap('server', child), url: `http://127.0.0.1:${port}` };
    },
    async close() {
      for (const p of procs.reverse()) await p.stop();
      await db.$disconnect();
      await sink.close();
      await temporal.stop();
      await pg.stop();
      removeEmbeddedData(join(dir, 'postgres'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
