// The Temporal worker: runs journey workflows and their activities.
import { resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { RoleEnv } from '../config/env';
import { temporalSettings } from '../config/env';
import { createActivities } from '../activities';
import { createDb, type Db } from '../lib/db';
import { createLogger, type Logger } from '../lib/logger';
import { connectionOptions } from '../lib/temporal-connection';
import { createMailer, type Mailer } from '../email/transport';
import { policyFromEnv } from '../email/policy';

export const WORKFLOWS_PATH = resolve(import.meta.dirname, '..', 'workflows', 'index.ts');

export interface RunningWorker {
  /** Resolves when the workers stop (after shutdown()). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Routes the Temporal SDK's own logs (warnings and errors only) into our pino logger. */
function installSdkLogger(log: Logger): void {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => log[levels[entry.level]]({ sdk: entry.meta }, entry.message)),
      // We stop workers ourselves on SIGINT/SIGTERM (in order, then the rest of the stack).
      shutdownSignals: [],
    });
  } catch {
    // A runtime is already installed in this process (tests install their own).
  }
}

async function connectWithRetry(env: RoleEnv<'worker'>, log: Logger): Promise<NativeConnection> {
  const settings = temporalSettings(env);
  const opts = connectionOptions(settings);
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address: opts.address, tls: opts.tls, apiKey: settings.apiKey, metadata: opts.metadata });
    } catch (err) {
      const delay = Math.min(1000 * 2 ** Math.min(attempt - 1, 5), 30_000);
      log.warn({ attempt, err: (err as Error).message, retryInMs: delay }, 'cannot reach Temporal; retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export async function startWorker(
  env: RoleEnv<'worker'>,
  opts: { workflowBundle?: WorkflowBundleWithSourceMap; db?: Db; mailer?: Mailer; log?: Logger } = {},
): Promise<RunningWorker> {
  const log = opts.log ?? createLogger('worker', env.LOG_LEVEL);
  installSdkLogger(log);
  const db = opts.db ?? createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  const mailer = opts.mailer ?? createMailer(env.SMTP_URL, env.SMTP_POOL_SIZE);
  const t = temporalSettings(env);
  const connection = await connectWithRetry(env, log);
  const activities = createActivities({
    db,
    mailer,
    log,
    mailFrom: env.MAIL_FROM,
    publicUrl: env.PUBLIC_URL,
    linkSecret: env.LINK_SIGNING_SECRET,
    policy: policyFromEnv(env),
    unsubscribeMailto: env.LIST_UNSUBSCRIBE_MAILTO,
    outgoingWebhookSecret: env.OUTGOING_WEBHOOK_SECRET,
  });
  const workflowSource = opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
  const workers = [
    await Worker.create({ connection, namespace: t.namespace, taskQueue: t.taskQueue, ...workflowSource, activities }),
  ];
  if (t.emailTaskQueue !== t.taskQueue) {
    workers.push(
      await Worker.create({
        connection,
        namespace: t.namespace,
        taskQueue: t.emailTaskQueue,
        activities: { sendEmail: activities.sendEmail },
      }),
    );
  }
  log.info({ taskQueues: [t.taskQueue, t.emailTaskQueue], namespace: t.namespace }, 'worker running');
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    await connection.close();
    if (!opts.mailer) mailer.close();
    if (!opts.db) await db.$disconnect();
  });
  return {
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
