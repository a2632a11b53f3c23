// Production entry points, one process each:
//   rapport migrate   apply schema migrations, publish shipped templates and journeys
//   rapport worker    run the Temporal worker
//   rapport server    run the HTTP server (API, webhooks, links, event dispatcher)
// Configuration comes only from environment variables (README, "Configuration").
import { ConfigError, loadEnv } from '../config/env';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { checkDatabase, createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { startServer } from '../server/main';
import { startWorker, WorkerOutOfMemoryError } from '../worker/worker';

const USAGE = 'usage: rapport <migrate|worker|server>';

function onSignals(stop: () => Promise<void>) {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  // Started by `npm start` (stack/role-process.ts): stop in order if it dies
  // without stopping us, instead of running on as an orphan.
  const parent = Number(process.env.RAPPORT_PARENT_PID);
  if (parent > 0) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        handler();
      }
    }, 2_000).unref();
  }
}

async function main(cmd: string | undefined): Promise<void> {
  switch (cmd) {
    case 'migrate': {
      const env = loadEnv('migrate');
      const log = createLogger('migrate', env.LOG_LEVEL);
      await checkDatabase(env.DATABASE_URL);
      const r = await migrate(env.DATABASE_URL, { onProgress: (m) => log.info(m) });
      log.info({ applied: r.applied, alreadyApplied: r.alreadyApplied }, 'schema up to date');
      const db = createDb(env.DATABASE_URL, 2);
      const seeded = await seedShippedContent(db);
      await db.$disconnect();
      log.info(seeded, 'shipped templates and journeys published');
      return;
    }
    case 'worker': {
      const w = await startWorker(loadEnv('worker'));
      onSignals(() => w.shutdown());
      await w.done;
      return;
    }
    case 'server': {
      const s = await startServer(loadEnv('server'));
      onSignals(() => s.close());
      return;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(2);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (err instanceof WorkerOutOfMemoryError) process.exit(70); // said in the log already
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
