// Rapport's roles as production runs them (cli/rapport.ts processes), on the
// run's shared Temporal server and a fresh PostgreSQL database of their own,
// with an in-process mail sink. Tests start the servers and workers they need;
// `stop()` ends every process they started, then the sink and the database client.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { createDb, type Db } from '../../lib/db';
import { startRole, type RoleProcess } from '../../stack/role-process';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { ROOT } from '../../stack/tools';
import { createEmptyDatabase } from './db';
import { testEnv } from './env';

export interface RoleCluster {
  env: Record<string, string>;
  db: Db;
  sink: MailSink;
  /** A `server` process on a port it chose; `url` is its base URL (from its ready line). */
  server(extra?: Record<string, string>): Promise<RoleProcess & { url: string }>;
  /** A `worker` process; `out` receives its log lines (JSON) as they come. */
  worker(extra?: Record<string, string>, opts?: { out?: (line: string) => void }): Promise<RoleProcess>;
  stop(): Promise<void>;
}

const quiet = () => undefined;

/** A migrated database named `database`, a mail sink, and the env every role shares (`overrides` on top of the test defaults). */
export async function startRoleCluster(database: string, overrides: Record<string, string> = {}): Promise<RoleCluster> {
  const url = await createEmptyDatabase(database);
  const sink = await startMailSink({ smtpPort: 0 });
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...testEnv({ databaseUrl: url, temporalAddress: inject('temporalAddress'), smtpUrl: sink.smtpUrl, overrides }).raw,
  };
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'rapport.ts'), 'migrate'], { env, encoding: 'utf8' });
  expect(migrated.status, migrated.stderr).toBe(0);
  const db = createDb(url, 2);
  const procs: RoleProcess[] = [];
  return {
    env,
    db,
    sink,
    async server(extra = {}) {
      // Port 0: the server binds a free port itself and names it in its ready
      // line, so no other process can take the port between choosing and listening.
      const p = await startRole('server', { ...env, ...extra, HTTP_PORT: '0' }, { out: quiet });
      procs.push(p);
      return Object.assign(p, { url: String(p.ready.url) });
    },
    async worker(extra = {}, opts = {}) {
      const p = await startRole('worker', { ...env, ...extra }, { out: opts.out ?? quiet });
      procs.push(p);
      return p;
    },
    async stop() {
      await Promise.all(procs.map((p) => p.stop(10_000)));
      await db.$disconnect();
      await sink.close();
    },
  };
}

/** Polls `probe` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
