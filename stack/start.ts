// `npm start`: the whole embedded stack in one process tree. Each part is
// replaced by the real thing when its variable is set: DATABASE_URL,
// TEMPORAL_ADDRESS, SMTP_URL. The server and the worker run as child
// processes, exactly as `npm run server` and `npm run worker` (each with its
// own event loop and DATABASE_POOL_SIZE connections); the server starts first,
// so events are accepted even while Temporal or the worker are still coming
// up. Ctrl-C stops everything, in order.
import { join } from 'node:path';
import { loadEnv, publicUrlMismatch } from '../config/env';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { startEmbeddedPostgres } from './postgres';
import { loadOrCreateSecrets } from './secrets';
import { ensureDashboardAdmin } from './dashboard-admin';
import { startMailSink } from './smtp-sink';
import { startTemporalDevServer } from './temporal';
import { ROOT } from './tools';
import { freePort, portInUse } from './net';
import { startRole, type RoleProcess } from './role-process';

const DATA = process.env.RAPPORT_DATA_DIR ?? join(ROOT, '.data');
const port = (name: string, def: number) => Number(process.env[name] ?? def);

/** A taken port of an embedded part, named with its variable before anything starts. */
async function requireFreePort(p: number, variable: string, what: string, instead?: string): Promise<void> {
  if (p === 0 || !(await portInUse(p))) return;
  throw new Error(
    `${what} cannot start: port ${p} (${variable}) is already in use (a Rapport left from an earlier run, or another program).\n` +
      `Stop it, or set ${variable} to a free port${instead ? `, or ${instead}` : ''}.`,
  );
}

async function main() {
  const log = createLogger('rapport', process.env.LOG_LEVEL ?? 'info');
  const stops: [string, () => Promise<void>][] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) {
      process.stdout.write('\nStill stopping (press Ctrl-C again to force it, which may leave processes behind).\n');
      return;
    }
    stopping = true;
    process.stdout.write('\nStopping the server, worker, Temporal, mail sink and PostgreSQL ...\n');
    for (const [name, stop] of stops.reverse()) {
      // A part that does not stop within 30 s is left behind rather than holding up the rest.
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 30_000)));
      const outcome = await Promise.race([stop().then(() => 'ok' as const), gaveUp]).catch((err: Error) => {
        log.warn({ err: err.message }, `error while stopping the ${name}`);
        return 'error' as const;
      });
      clearTimeout(timer);
      process.stdout.write(`  ${name} ${outcome === 'timeout' ? 'did not stop in 30 s' : 'stopped'}\n`);
    }
    process.stdout.write('Stopped.\n');
    process.exit(code);
  };
  let interrupts = 0;
  const onSignal = () => {
    if (++interrupts >= 3) process.exit(130); // the user insists
    void stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // npm may exit on Ctrl-C before we are done; if that closes the terminal, finish anyway.
  process.on('SIGHUP', onSignal);

  try {
    const secrets = loadOrCreateSecrets(join(DATA, 'secrets.json'));
    const env: Record<string, string | undefined> = { ...process.env };
    if (!env.DATABASE_URL)
      await requireFreePort(
        port('EMBEDDED_PG_PORT', 55432),
        'EMBEDDED_PG_PORT',
        'Embedded PostgreSQL',
        'set DATABASE_URL to use a PostgreSQL server of your own',
      );
    if (!env.TEMPORAL_ADDRESS) {
      const instead = 'set TEMPORAL_ADDRESS to use a running Temporal server';
      await requireFreePort(port('TEMPORAL_DEV_PORT', 7233), 'TEMPORAL_DEV_PORT', 'The Temporal dev server', instead);
      await requireFreePort(port('TEMPORAL_UI_PORT', 8233), 'TEMPORAL_UI_PORT', 'The Temporal Web UI', instead);
    }
    if (!env.SMTP_URL) {
      const instead = 'set SMTP_URL to use an SMTP relay';
      await requireFreePort(port('MAIL_SINK_SMTP_PORT', 2525), 'MAIL_SINK_SMTP_PORT', 'The mail sink (SMTP)', instead);
      await requireFreePort(port('MAIL_SINK_HTTP_PORT', 8025), 'MAIL_SINK_HTTP_PORT', 'The mail sink (web page)', instead);
    }
    if (['127.0.0.1', '0.0.0.0', 'localhost', undefined].includes(env.HTTP_HOST || undefined)) {
      await requireFreePort(port('HTTP_PORT', 3000), 'HTTP_PORT', 'The HTTP server');
    }
    if (
      env.WORKER_METRICS_PORT !== 'off' &&
      ['127.0.0.1', '0.0.0.0', 'localhost', undefined].includes(env.WORKER_METRICS_HOST || undefined)
    ) {
      await requireFreePort(
        port('WORKER_METRICS_PORT', 9464),
        'WORKER_METRICS_PORT',
        "The worker's metrics port",
        'set WORKER_METRICS_PORT=off',
      );
    }
    // Links in emails must reach this server: a port picked at random is picked now, so
    // that PUBLIC_URL (when not set) can be derived from it (config/env.ts).
    if (env.HTTP_PORT === '0') env.HTTP_PORT = String(await freePort());

    if (!env.DATABASE_URL) {
      log.info('starting embedded PostgreSQL ...');
      const pg = await startEmbeddedPostgres({ dataDir: join(DATA, 'postgres'), port: port('EMBEDDED_PG_PORT', 55432), log });
      stops.push(['PostgreSQL', () => pg.stop()]);
      await pg.createDatabase('rapport');
      env.DATABASE_URL = pg.url('rapport');
    }
    let temporalUi: string | null = null;
    if (!env.TEMPORAL_ADDRESS) {
      log.info('starting the Temporal dev server ...');
      const t = await startTemporalDevServer({
        dbFile: join(DATA, 'temporal.db'),
        port: port('TEMPORAL_DEV_PORT', 7233),
        uiPort: port('TEMPORAL_UI_PORT', 8233),
        log,
      });
      stops.push(['Temporal', () => t.stop()]);
      env.TEMPORAL_ADDRESS = t.address;
      temporalUi = t.uiUrl;
    }
    let mailUi: string | null = null;
    if (!env.SMTP_URL) {
      const sink = await startMailSink({
        smtpPort: port('MAIL_SINK_SMTP_PORT', 2525),
        httpPort: port('MAIL_SINK_HTTP_PORT', 8025),
        dir: join(DATA, 'mail'),
      });
      stops.push(['mail sink', () => sink.close()]);
      env.SMTP_URL = sink.smtpUrl;
      mailUi = `http://127.0.0.1:${sink.httpPort}`;
      // The server shows this sink's mail in the workspace (Mail page); only the embedded sink is read.
      env.MAIL_SINK_URL ??= mailUi;
    }
    env.RAPPORT_API_KEYS ??= secrets.apiKey;
    env.LINK_SIGNING_SECRET ??= secrets.linkSecret;
    env.WEBHOOK_SECRETS ??= Object.entries(secrets.webhookSecrets)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');

    const migrateEnv = loadEnv('migrate', env);
    const applied = await migrate(migrateEnv.DATABASE_URL, { onProgress: (m) => log.info(m) });
    log.info({ applied: applied.applied.length, alreadyApplied: applied.alreadyApplied }, 'database schema up to date');
    const db = createDb(migrateEnv.DATABASE_URL, 2);
    stops.push(['database connections', () => db.$disconnect()]);
    const seeded = await seedShippedContent(db);
    log.info({ templates: seeded.templates.length, journeys: seeded.journeys.length }, 'shipped templates and journeys published');

    // Validated here, so a wrong variable is reported once, before anything is spawned.
    loadEnv('server', env);
    loadEnv('worker', env);
    const roles: RoleProcess[] = [];
    const watch = (p: RoleProcess) => {
      roles.push(p);
      void p.exited.then((code) => {
        if (stopping) return;
        log.error({ role: p.role, code }, `the ${p.role} stopped by itself; stopping the rest`);
        void stopAll(1);
      });
    };
    log.info('starting the HTTP server ...');
    const serverProc = await startRole('server', env);
    watch(serverProc);
    stops.push(['HTTP server', () => serverProc.stop()]);
    log.info('starting the worker ...');
    const workerProc = await startRole('worker', env);
    watch(workerProc);
    // Stopped before the server's turn would come (stops run in reverse): the
    // server stops taking events first, then the worker drains.
    stops.splice(stops.length - 1, 0, ['worker', () => workerProc.stop((Number(env.WORKER_SHUTDOWN_GRACE_SECONDS ?? 20) + 10) * 1000)]);
    const server = { url: String(serverProc.ready.url), port: Number(new URL(String(serverProc.ready.url)).port) };
    const mismatch = env.PUBLIC_URL ? publicUrlMismatch(env.PUBLIC_URL, server.port) : null;
    if (mismatch)
      log.warn({ PUBLIC_URL: env.PUBLIC_URL }, `PUBLIC_URL does not point at this server (${mismatch}): links in emails will not reach it`);

    const apiKey = loadEnv('server', env).RAPPORT_API_KEYS[0];
    const workspaceLines = await ensureDashboardAdmin(db, join(DATA, 'secrets.json'), server.url);
    process.stdout.write(
      [
        '',
        'Rapport is running.',
        ...workspaceLines,
        `  API           ${server.url}   (OpenAPI: ${server.url}/openapi.yaml)`,
        `  API key       ${apiKey}`,
        `  Temporal UI   ${temporalUi ?? `(external Temporal at ${env.TEMPORAL_ADDRESS})`}`,
        `  Sent mail     ${mailUi ?? '(external SMTP relay)'}`,
        `  Metrics       ${server.url}/metrics   (worker: ${workerProc.ready.metricsUrl ?? 'off'})`,
        `  Webhook secrets are in ${join(DATA, 'secrets.json')}`,
        '',
        `Try: curl -s -X POST ${server.url}/v1/events -H "Authorization: Bearer ${apiKey}" \\`,
        `       -H 'Content-Type: application/json' \\`,
        `       -d '{"id":"evt-1","type":"signed_up","contact":{"email":"ada@example.com","firstName":"Ada"}}'`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await Promise.race(roles.map((r) => r.exited));
  } catch (err) {
    log.error({ err: (err as Error).message }, 'start failed');
    process.stderr.write(`\n${(err as Error).message}\n`);
    await stopAll(1);
  }
}

void main();
