// Prisma client over node-postgres (Prisma's Rust-free client with a driver adapter).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import pg from 'pg';
import { ConfigError } from '../config/env';
import { redactEmails } from './redact';

export type Db = PrismaClient;

// On the client itself (not in a side table), so a wrapper that forwards property reads (a test's Proxy) finds it too.
const POOL = Symbol('rapport.db.pool');

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // A dropped idle connection: the next checkout opens another (Prisma adds its own listener once connected).
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(db, POOL, { value: pool });
  return db;
}

/**
 * node-postgres under a Db made by createDb: the same pool, so the same
 * connections and DATABASE_POOL_SIZE. For the few statements of a journey step
 * where Prisma's CPU per statement counts: a named (prepared) statement costs
 * the thread a fraction of a Prisma query (`npm run bench:query-cost`).
 * Ended with the Db ($disconnect).
 */
export function sqlOf(db: Db): pg.Pool {
  const pool = (db as Db & { [POOL]?: pg.Pool })[POOL];
  if (!pool) throw new Error('sqlOf: this Db was not made by createDb');
  return pool;
}

/** Where DATABASE_URL points, without the password (for messages). */
export function databaseLocation(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * One connection attempt (5 s) to DATABASE_URL, so that a process that cannot
 * work without the database says so at start, naming the variable, instead of
 * failing later with a driver's stack (cli/ turns it into exit 78).
 */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined); // a connection dropped after the check is not ours to report
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const at = databaseLocation(databaseUrl);
    const why =
      e.code === 'ECONNREFUSED'
        ? 'nothing listens there (connection refused)'
        : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? 'the host name does not resolve'
          : e.code === '28P01' || e.code === '28000'
            ? 'the user name or password is wrong'
            : e.code === '3D000'
              ? 'that database does not exist'
              : /timeout/i.test(e.message ?? '')
                ? 'no answer within 5 s'
                : `${e.code ?? 'error'}: ${redactEmails(e.message ?? 'unknown error')}`;
    const error = new ConfigError(
      `Cannot use the database at ${at} (DATABASE_URL): ${why}.\nCheck that PostgreSQL runs there and that DATABASE_URL is right (postgresql://user:pass@host:5432/db).`,
    );
    error.cause = err;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
