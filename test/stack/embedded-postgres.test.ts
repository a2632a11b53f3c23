// Embedded PostgreSQL starts from a private folder (mode 0700, as /root/x or any
// `mktemp -d`), which the postgres user that root runs it as cannot enter; and a binary
// that cannot start ends in a clear error, not an unhandled 'error' event.
import {
  chmodSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/net';
import { installedNativeDir, removeEmbeddedData, startEmbeddedPostgres, type EmbeddedDb } from '../../stack/postgres';
import { ROOT } from '../../stack/tools';

const isRoot = process.getuid?.() === 0;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A 0700 folder holding a copy of the PostgreSQL binaries: hard links (instant, same
 * file system as node_modules), except `copied`, which are real copies we may change.
 */
async function privateFolderWithBinaries(copied: string[] = []): Promise<{ dir: string; native: string }> {
  mkdirSync(join(ROOT, '.test-data'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.test-data', 'pg-private-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  expect(lstatSync(dir).mode & 0o777).toBe(0o700);
  const source = await installedNativeDir();
  const native = join(dir, 'native');
  const copy = (rel: string) => {
    const from = join(source, rel);
    const to = join(native, rel);
    const st = lstatSync(from);
    if (st.isDirectory()) {
      mkdirSync(to);
      for (const e of readdirSync(from)) copy(join(rel, e));
    } else if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (copied.includes(rel)) copyFileSync(from, to);
    else {
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to); // another file system
      }
    }
  };
  copy('');
  return { dir, native };
}

/** Root only: a fresh, root-owned, world-traversable relocation home, so the copy is exercised. */
function relocationDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-pg-home-'));
  chmodSync(dir, 0o755);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line mentions this path (PostgreSQL's postmaster and backends do). */
function processesMentioning(path: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(path);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('embedded PostgreSQL', () => {
  it('starts from a private folder, answers a query, and stops leaving no process behind', async () => {
    const { dir, native } = await privateFolderWithBinaries();
    const home = isRoot ? relocationDir() : undefined;
    const requested = join(dir, 'data');
    let db: EmbeddedDb | null = await startEmbeddedPostgres({
      dataDir: requested,
      port: await freePort(),
      nativeDir: native,
      relocationDir: home,
    });
    cleanups.push(async () => {
      await db?.stop();
      removeEmbeddedData(requested);
    });

    const client = new pg.Client({ connectionString: db.url('postgres') });
    await client.connect();
    const row = (
      await client.query<{ dir: string; one: number; pid: number }>(
        "SELECT current_setting('data_directory') AS dir, 1 + 0 AS one, pg_backend_pid() AS pid",
      )
    ).rows[0]!;
    const exe = readlinkSync(`/proc/${row.pid}/exe`);
    await client.end();
    expect(row.one).toBe(1);
    expect(row.dir).toBe(db.dataDir);
    if (isRoot) {
      // The postgres user cannot enter `dir`: binaries and data were put where it can, and
      // the requested data path links to the data.
      expect(exe.startsWith(join(home!, 'bin'))).toBe(true);
      expect(db.dataDir.startsWith(join(home!, 'data'))).toBe(true);
      expect(lstatSync(requested).isSymbolicLink()).toBe(true);
      expect(readlinkSync(requested)).toBe(db.dataDir);
    } else {
      expect(exe.startsWith(native)).toBe(true);
      expect(db.dataDir).toBe(requested);
    }

    const postmaster = Number(readFileSync(join(db.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(postmaster)).toBe(true);
    await db.stop();
    const stopped = db;
    db = null;
    expect(alive(postmaster)).toBe(false);
    expect(alive(row.pid)).toBe(false);
    expect(processesMentioning(stopped.dataDir)).toEqual([]);
  });

  it('ends with a clear error when initdb cannot be run', async () => {
    const { dir, native } = await privateFolderWithBinaries([join('bin', 'initdb')]);
    chmodSync(join(native, 'bin', 'initdb'), 0o644);
    const home = isRoot ? relocationDir() : undefined;
    const requested = join(dir, 'data');
    cleanups.push(() => removeEmbeddedData(requested));
    const err = await startEmbeddedPostgres({ dataDir: requested, port: await freePort(), nativeDir: native, relocationDir: home }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('PostgresStartError');
    expect(err?.message).toMatch(/initdb \(.*\/bin\/initdb\) could not be run: permission denied/); // what, why
    expect(err?.message).toMatch(/npm ci/); // what to do
    expect(err?.message).toMatch(/DATABASE_URL/);
  });

  it('ends with a clear error when its port is taken', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const err = await startEmbeddedPostgres({ dataDir: join(tmpdir(), 'rapport-pg-never-created'), port }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    expect(err?.message).toMatch(/DATABASE_URL/);
  });
});
