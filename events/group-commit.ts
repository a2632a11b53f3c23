// Group commit for the one-statement ingest path (events/ingest.ts). Under load,
// the statements of several concurrent requests run in ONE transaction on one
// connection, straight on node-postgres: one commit (one WAL flush) and one
// checkout for the group instead of one each, and none of Prisma's per-query
// work. Nothing waits for a timer: a statement runs at once when a connection
// is free; while all are busy, the statements that arrive queue and the next
// free connection takes them together. So a quiet server answers as fast as
// before and a busy one commits in groups.
//
// A group is all or nothing: if any statement fails (a lost race, a deadlock, a
// bad value), the transaction is rolled back, so none of the group is stored, and
// then each statement runs again alone, in its own implicit transaction: each
// caller gets its own statement's result or error, never a neighbour's.
import pg from 'pg';
import { UnavailableError } from '../lib/errors';

/** A statement with `$n` placeholders, as Prisma.sql builds it (`.text`, `.values`). */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

interface Queued {
  sql: SqlStatement;
  /** Statements of a group run in this order, so concurrent groups lock contacts in one order (no deadlock between them). */
  order: string;
  resolve(rows: unknown[]): void;
  reject(err: unknown): void;
}

/** Statements per group: enough to amortise the commit, few enough that a fallback stays short. */
export const GROUP_COMMIT_MAX = 32;

export interface GroupCommitStats {
  groups: number;
  statements: number;
  /** Groups rolled back and run again statement by statement. */
  fallbacks: number;
}

export class GroupCommit {
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private scheduled = false;
  readonly stats: GroupCommitStats = { groups: 0, statements: 0, fallbacks: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: { connections: number; maxGroup: number },
  ) {}

  /** Runs `sql` (alone or in a group) and resolves with its rows once they are committed. */
  run<T>(sql: SqlStatement, order: string): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      this.queue.push({ sql, order, resolve: resolve as (rows: unknown[]) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.opts.connections || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current I/O callbacks: requests parsed in the same turn of the loop go together.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.opts.connections && this.queue.length > 0) {
      const free = this.opts.connections - this.inFlight;
      const size = Math.min(this.opts.maxGroup, Math.ceil(this.queue.length / free));
      const group = this.queue.splice(0, size);
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private async commit(group: Queued[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      const e = new UnavailableError('database_unavailable', 'the database cannot be reached; retry later');
      e.cause = err;
      for (const q of group) q.reject(e);
      return;
    }
    let broken: Error | undefined;
    try {
      this.stats.groups++;
      this.stats.statements += group.length;
      if (group.length === 1) return await runAlone(client, group[0]!);
      group.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      const results: unknown[][] = [];
      try {
        await client.query('BEGIN');
        for (const q of group) results.push((await client.query(q.sql.text, q.sql.values)).rows);
        await client.query('COMMIT');
      } catch (err) {
        // Not stored, any of it (a failed COMMIT rolls back too). Each statement
        // on its own: a repeat of one that did commit inserts nothing and its
        // caller finds the stored event.
        this.stats.fallbacks++;
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error;
          for (const q of group) q.reject(err);
          return;
        }
        for (const q of group) await runAlone(client, q);
        return;
      }
      for (const [i, q] of group.entries()) q.resolve(results[i]!);
    } finally {
      client.release(broken);
    }
  }
}

async function runAlone(client: pg.PoolClient, q: Queued): Promise<void> {
  try {
    q.resolve((await client.query(q.sql.text, q.sql.values)).rows);
  } catch (err) {
    q.reject(err);
  }
}

/** The pool a GroupCommit runs on; an idle connection that drops is replaced, not a crash. */
export function createGroupCommitPool(databaseUrl: string, size: number, onError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: size });
  pool.on('error', onError);
  return pool;
}
