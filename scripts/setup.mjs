#!/usr/bin/env node
// Idempotent setup run before `npm start` and `npm test` (npm's pre-scripts).
// Uses Node built-ins only, because it runs before dependencies exist.
//
//   node scripts/setup.mjs start   deps, Prisma client, Temporal CLI (unless TEMPORAL_ADDRESS)
//   node scripts/setup.mjs test    the same, plus the Java time-skipping test server and
//                                  schemathesis (the contract fuzzer, in a Python venv)
//   (both build the workspace web app into web/dist; `test` also makes Chromium available)
//
// Everything it builds is cached under .tools/ (git-ignored); later runs take
// well under a second when nothing changed.
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const mode = process.argv[2] ?? 'start';

const TEMPORAL_CLI_VERSION = '1.5.1';
const SCHEMATHESIS_VERSION = '4.32.5';
const MIN_GO = [1, 25];

function step(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[setup] ERROR: ${msg}\n`);
  process.exit(1);
}

function ensureNode() {
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj < 20 || (maj === 20 && min < 19))
    fail(`Node.js ${process.versions.node} is too old: Rapport needs Node.js >= 20.19. Install a newer one and run again.`);
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

// 1. npm dependencies, installed when missing and updated when the lockfile changes.
function ensureDependencies() {
  const want = hashFiles(join(root, 'package-lock.json'));
  const marker = join(root, 'node_modules', '.rapport-lock-hash');
  if (stampMatches(marker, want)) return;
  // No node_modules (a fresh clone): `npm ci`, what CI systems and container builds run:
  // exactly the lockfile, and an error rather than a rewritten lockfile when it disagrees
  // with package.json. node_modules already there but the lockfile changed (a pull, another
  // branch): `npm install`, which updates in place instead of deleting everything first,
  // and reconciles the lockfile with a package.json you edited.
  const cmd = existsSync(join(root, 'node_modules')) ? 'install' : 'ci';
  step(`installing npm dependencies (npm ${cmd}, versions from package-lock.json) ...`);
  const r = run('npm', [cmd, '--no-audit', '--no-fund']);
  if (r.error) fail(`npm could not be run (${r.error.code ?? r.error.message}). Install Node.js >= 20.19 with npm and put npm on PATH.`);
  if (!r.ok) {
    fail(
      `\`npm ${cmd}\` failed (exit ${r.status}); its output is above. Is the npm registry reachable (a proxy or` +
        (cmd === 'ci'
          ? ' .npmrc setting?), and do package.json and package-lock.json agree (`npm install` updates the lockfile)?'
          : ' .npmrc setting?)'),
    );
  }
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
  if (!r.ok) {
    fail(
      `\`prisma generate\` failed (${r.error ? r.error.code : `exit ${r.status}`}); its output is above. ` +
        'Reinstall the dependencies (`rm -rf node_modules && npm ci`) and run again.',
    );
  }
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
    const cli = process.env.TEMPORAL_CLI;
    if (!existsSync(cli))
      fail(`TEMPORAL_CLI=${cli} does not exist. Set it to the path of a Temporal CLI, or unset it to use (or build) .tools/bin/temporal.`);
    try {
      accessSync(cli, constants.X_OK);
    } catch {
      fail(`TEMPORAL_CLI=${cli} is not executable. \`chmod +x\` it, or set TEMPORAL_CLI to a Temporal CLI that is.`);
    }
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
  step(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} with ${v} into .tools/bin ` + '(first run only; a few minutes on 2 cores) ...');
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
  if (!r.ok || !existsSync(local)) {
    fail(
      'building the Temporal CLI failed; its output is above. Is the Go module proxy reachable (GOPROXY)? ' +
        'Alternatively put a `temporal` binary on PATH, set TEMPORAL_CLI to one, or set TEMPORAL_ADDRESS to a running Temporal server.',
    );
  }
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
  if (!which('java'))
    fail(
      'Java (17+) is needed for the Temporal time-skipping test server (tests only): install a JDK (e.g. `apt-get install openjdk-17-jdk-headless`).',
    );
  if (!which('mvn'))
    fail('Maven is needed to fetch the Temporal time-skipping test server (tests only): install it (e.g. `apt-get install maven`).');
  step('fetching the Temporal time-skipping test server from Maven Central (first run only) ...');
  mkdirSync(dir, { recursive: true });
  const r = run('mvn', ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${join(dir, 'lib')}`]);
  if (!r.ok)
    fail(
      'Maven could not fetch the test server; its output is above. Is Maven Central reachable (a proxy or mirror in ~/.m2/settings.xml)?',
    );
  writeLauncher(dir, launcher, null);
  stamp(marker, want);
}

// `exec` so that the SDK's SIGKILL reaches the JVM itself and frees the port;
// the JIT flags and a class-data archive keep start-up well inside the SDK's
// 5 s limit even on a busy machine (the archive roughly halves it).
function writeLauncher(dir, launcher, archive) {
  writeFileSync(
    launcher,
    '#!/bin/sh\n' +
      `exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC ${archive ? `-XX:SharedArchiveFile='${archive}' ` : ''}-Xshare:auto -cp '${join(dir, 'lib')}/*' ` +
      'io.temporal.testserver.TestServer "$@"\n',
  );
  chmodSync(launcher, 0o755);
}

// Class-data sharing archive of the test server's classes (JDK 13+), made once
// by running it until it answers and stopping it cleanly.
async function ensureTestServerArchive() {
  const dir = join(tools, 'test-server');
  const launcher = join(dir, 'temporal-test-server');
  const archive = join(dir, 'classes.jsa');
  const marker = join(dir, '.archive-hash');
  // The archive belongs to one JVM build: a new java makes a new one.
  const want = hashFiles(join(root, 'tools', 'test-server', 'pom.xml'), realpathSync(which('java')));
  if (existsSync(archive) && stampMatches(marker, want)) return;
  const port = await new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
    srv.once('error', reject);
  });
  const child = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-XX:ArchiveClassesAtExit=${archive}`,
      '-cp',
      `${join(dir, 'lib')}/*`,
      'io.temporal.testserver.TestServer',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', () => undefined);
  const deadline = Date.now() + 60_000;
  let up = false;
  while (!up && Date.now() < deadline && child.exitCode === null) {
    up = await new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  await exited;
  if (up && existsSync(archive)) {
    writeLauncher(dir, launcher, archive);
    stamp(marker, want);
  } else {
    step('could not make a class-data archive for the test server (it still works, only slower to start)');
  }
}

// 4b. Schemathesis (tests only): the contract fuzzer test/contract/schemathesis.test.ts
// runs against the served OpenAPI document, from PyPI into a venv of its own.
// Without python3 or PyPI, setup stops naming what to install: that test needs it.
function ensureSchemathesis() {
  const dir = join(tools, 'schemathesis');
  const st = join(dir, 'bin', 'st');
  const marker = join(dir, '.rapport-version');
  if (existsSync(st) && stampMatches(marker, SCHEMATHESIS_VERSION)) return;
  const python = which('python3');
  if (!python)
    fail(
      'Python 3 (3.9+, with venv and pip) is needed for schemathesis, the contract test (tests only): install it ' +
        '(e.g. `apt-get install python3 python3-venv`) and run again.',
    );
  step(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into .tools/schemathesis (first run only) ...`);
  if (!existsSync(join(dir, 'bin', 'pip'))) {
    const venv = run(python, ['-m', 'venv', dir]);
    if (!venv.ok)
      fail(
        '`python3 -m venv .tools/schemathesis` failed; its output is above. Install the venv module ' +
          '(e.g. `apt-get install python3-venv`) and run again.',
      );
  }
  const pip = run(join(dir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  if (!pip.ok || !existsSync(st))
    fail(
      `pip could not install schemathesis==${SCHEMATHESIS_VERSION}; its output is above. Is PyPI reachable ` +
        '(a proxy: HTTPS_PROXY, or a mirror: PIP_INDEX_URL)? The contract test needs it.',
    );
  stamp(marker, SCHEMATHESIS_VERSION);
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
        "  Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium\n" +
        '  (or set CHROMIUM_PATH to a Chromium or Chrome executable).',
    );
  }
  step('installing Chromium for the browser tests (apt-get install chromium; first run only, a few minutes) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (
    !run('apt-get', ['update', '-qq'], { env }).ok ||
    !run('apt-get', ['install', '-y', '-qq', 'chromium'], { env }).ok ||
    !existsSync(CHROMIUM)
  ) {
    fail(`apt-get could not install chromium; install it by hand (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
}

const started = Date.now();
try {
  ensureNode();
  ensureDependencies();
  ensurePrismaClient();
  ensureTemporalCli();
  if (mode === 'test') {
    ensureTestServer();
    await ensureTestServerArchive();
    ensureSchemathesis();
  }
  ensureWebBuild();
  if (mode === 'test') ensureChromium();
} catch (err) {
  // Anything unforeseen (a folder that cannot be written, a full disk): the cause, not a stack.
  fail(`setup stopped: ${err?.message ?? err}. Fix the cause and run \`node scripts/setup.mjs ${mode}\` again.`);
}
step(`ready (${Date.now() - started} ms)`);
