#!/usr/bin/env node
// Idempotent setup run before `npm start` and `npm test` (npm's pre-scripts).
// Uses Node built-ins only, because it runs before dependencies exist.
//
//   node scripts/setup.mjs start   deps, Prisma client, Temporal CLI (unless TEMPORAL_ADDRESS)
//   node scripts/setup.mjs test    the same, plus the Java time-skipping test server
//   (both build the workspace web app into web/dist; `test` also makes Chromium available)
//
// Everything it builds is cached under .tools/ (git-ignored); later runs take
// well under a second when nothing changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const mode = process.argv[2] ?? 'start';

const TEMPORAL_CLI_VERSION = '1.5.1';
const MIN_GO = [1, 25];

function step(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[setup] ERROR: ${msg}\n`);
  process.exit(1);
}

function hashFiles(...files) {
  const h = createHash('sha256');
  for (const f of files) h.update(existsSync(f) ? readFileSync(f) : '');
  return h.digest('hex');
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) return { ok: false, error: r.error };
  return { ok: r.status === 0, status: r.status };
}

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

function stamp(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, value);
}

function stampMatches(file, value) {
  return existsSync(file) && readFileSync(file, 'utf8') === value;
}

// 1. npm dependencies, reinstalled when the lockfile changes.
function ensureDependencies() {
  const want = hashFiles(join(root, 'package-lock.json'));
  const marker = join(root, 'node_modules', '.rapport-lock-hash');
  if (stampMatches(marker, want)) return;
  // `npm install` rather than `npm ci`: npm 11 rejects this lockfile in `ci`
  // (it wants every platform's optional @swc/core binary listed). `install`
  // still takes the exact versions pinned in package-lock.json.
  step('installing npm dependencies (npm install, versions from package-lock.json) ...');
  const r = run('npm', ['install', '--no-audit', '--no-fund']);
  if (!r.ok) fail('`npm install` failed; see the output above. Is the npm registry reachable?');
  stamp(marker, hashFiles(join(root, 'package-lock.json')));
}

// 2. Prisma client, regenerated when the schema changes. The env vars stop the
// Prisma CLI from downloading native engines: we use the WebAssembly ones.
function ensurePrismaClient() {
  const want = hashFiles(join(root, 'prisma', 'schema.prisma'), join(root, 'package-lock.json'));
  const marker = join(root, 'node_modules', '.rapport-prisma-hash');
  if (stampMatches(marker, want)) return;
  step('generating the Prisma client ...');
  const r = run(join(root, 'node_modules', '.bin', 'prisma'), ['generate'], {
    env: { ...process.env, ...prismaOfflineEnv() },
  });
  if (!r.ok) fail('`prisma generate` failed; see the output above.');
  stamp(marker, want);
}

export function prismaOfflineEnv() {
  const placeholder = process.execPath;
  return {
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

// 3. The Temporal CLI (dev server + Web UI): $TEMPORAL_CLI, .tools/bin, PATH, or built with Go.
function ensureTemporalCli() {
  if (process.env.TEMPORAL_ADDRESS && mode === 'start') return;
  if (process.env.TEMPORAL_CLI) {
    if (!existsSync(process.env.TEMPORAL_CLI)) fail(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not exist.`);
    return;
  }
  const local = join(tools, 'bin', 'temporal');
  if (existsSync(local) || which('temporal')) return;
  const go = which('go');
  if (!go) {
    fail(
      'The Temporal CLI is needed for the embedded Temporal server, and none was found.\n' +
        `  Either install Go >= ${MIN_GO.join('.')} (it is then built from the Go module proxy),\n` +
        '  put a `temporal` binary on PATH, set TEMPORAL_CLI=/path/to/temporal,\n' +
        '  or point TEMPORAL_ADDRESS at a running Temporal server.',
    );
  }
  const v = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim(); // e.g. go1.26.8
  const [maj, min] = v.replace(/^go/, '').split('.').map(Number);
  if (maj < MIN_GO[0] || (maj === MIN_GO[0] && min < MIN_GO[1])) {
    fail(`Go ${v} is too old to build the Temporal CLI; install Go >= ${MIN_GO.join('.')}.`);
  }
  step(
    `building the Temporal CLI v${TEMPORAL_CLI_VERSION} with ${v} into .tools/bin ` +
      '(first run only; a few minutes on 2 cores) ...',
  );
  const started = Date.now();
  const r = run(
    go,
    [
      'install',
      '-ldflags',
      `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
      `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
    ],
    { env: { ...process.env, GOBIN: join(tools, 'bin'), CGO_ENABLED: '0', GOFLAGS: '-v' } },
  );
  if (!r.ok || !existsSync(local)) fail('building the Temporal CLI failed; see the output above.');
  step(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s`);
}

// 4. Temporal's Java time-skipping test server (tests only), from Maven Central.
function ensureTestServer() {
  const dir = join(tools, 'test-server');
  const launcher = join(dir, 'temporal-test-server');
  const pom = join(root, 'tools', 'test-server', 'pom.xml');
  const want = hashFiles(pom);
  const marker = join(dir, '.pom-hash');
  if (existsSync(launcher) && stampMatches(marker, want)) return;
  if (!which('java')) fail('Java (17+) is needed for the Temporal time-skipping test server: install a JDK.');
  if (!which('mvn')) fail('Maven is needed to fetch the Temporal time-skipping test server: install maven.');
  step('fetching the Temporal time-skipping test server from Maven Central (first run only) ...');
  mkdirSync(dir, { recursive: true });
  const r = run('mvn', [
    '-B',
    '-q',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${join(dir, 'lib')}`,
  ]);
  if (!r.ok) fail('Maven could not fetch the test server; see the output above.');
  // `exec` so that the SDK's SIGKILL reaches the JVM itself and frees the port;
  // the JIT flags keep start-up well inside the SDK's 5 s limit.
  writeFileSync(
    launcher,
    '#!/bin/sh\n' +
      `exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '${join(dir, 'lib')}/*' ` +
      'io.temporal.testserver.TestServer "$@"\n',
  );
  chmodSync(launcher, 0o755);
  stamp(marker, want);
}

// 5. The workspace web app (web/ -> web/dist), rebuilt when its files or the
// lockfile change (it imports only types from the server). Vite runs offline.
function ensureWebBuild() {
  const want = hashTree(join(root, 'web'), ['dist']) + hashFiles(join(root, 'package-lock.json'));
  const dist = join(root, 'web', 'dist');
  const marker = join(tools, 'web-build-hash');
  if (existsSync(join(dist, 'index.html')) && stampMatches(marker, want)) return;
  step('building the workspace web app (vite build web) ...');
  const started = Date.now();
  const r = run(join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', join(root, 'web', 'vite.config.ts')]);
  if (!r.ok) fail('building the workspace web app failed; see the output above.');
  stamp(marker, want);
  step(`workspace built in ${Math.round((Date.now() - started) / 100) / 10} s`);
}

/** One hash over every file under dir (names and contents), skipping the named folders. */
function hashTree(dir, skip = []) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (skip.includes(name) || name === 'node_modules') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(p.slice(root.length)).update(readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return h.digest('hex');
}

// 6. A browser for the workspace's browser tests (tests only): Debian's chromium,
// driven by playwright-core. Installed with apt-get when we are root; otherwise
// we say what to install. Never skipped: the browser tests need it.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    fail(
      `The workspace browser tests need Chromium at ${CHROMIUM}, and it is not installed.\n` +
        '  Install Debian\'s package: sudo apt-get update && sudo apt-get install -y chromium\n' +
        '  (or set CHROMIUM_PATH to a Chromium or Chrome executable).',
    );
  }
  step('installing Chromium for the browser tests (apt-get install chromium; first run only, a few minutes) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update', '-qq'], { env }).ok || !run('apt-get', ['install', '-y', '-qq', 'chromium'], { env }).ok || !existsSync(CHROMIUM)) {
    fail(`apt-get could not install chromium; install it by hand (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
}

const started = Date.now();
ensureDependencies();
ensurePrismaClient();
ensureTemporalCli();
if (mode === 'test') ensureTestServer();
ensureWebBuild();
if (mode === 'test') ensureChromium();
step(`ready (${Date.now() - started} ms)`);
