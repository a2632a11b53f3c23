// The Temporal worker: runs journey workflows and their activities.
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { RoleEnv } from '../config/env';
import { ConfigError, temporalSettings } from '../config/env';
import { createActivities } from '../activities';
import { checkDatabase, createDb, type Db } from '../lib/db';
import { createLogger, errorFields, sdkLogFields, type Logger } from '../lib/logger';
import { freePort } from '../stack/net';
import { connectionOptions } from '../lib/temporal-connection';
import { createMailer, type Mailer } from '../email/transport';
import { policyFromEnv } from '../email/policy';
import { createPreparer, defaultRenderThreads, inlinePreparer } from '../email/prepare-pool';
import { livenessHeartbeat } from './liveness-heartbeat';
import { retryNotice } from './retry-notice';
import { startMetricsServer, type MetricsServer } from './metrics-server';

export const WORKFLOWS_PATH = resolve(import.meta.dirname, '..', 'workflows', 'index.ts');

export interface RunningWorker {
  /** Resolves when the workers stop (after shutdown()). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Installs the SDK's runtime once per process: its logs (the TypeScript side's
 * and core's, forwarded instead of printed as coloured text) go into our pino
 * logger as JSON, and its worker metrics are exported in Prometheus' format on
 * an internal loopback port that the worker's metrics port merges in. Returns
 * that address, or null when a runtime was already installed (tests install
 * their own) or metrics are off.
 */
async function installRuntime(log: Logger, withMetrics: boolean): Promise<string | null> {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const coreAddress = withMetrics ? `127.0.0.1:${await freePort()}` : null;
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => log[levels[entry.level]]({ ...sdkLogFields(entry.meta), sdk: true }, entry.message)),
      telemetryOptions: {
        logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
        ...(coreAddress ? { metrics: { prometheus: { bindAddress: coreAddress, useSecondsForDurations: true } } } : {}),
      },
      // We stop workers ourselves on SIGINT/SIGTERM (in order, then the rest of the stack).
      shutdownSignals: [],
    });
    return coreAddress;
  } catch {
    // A runtime is already installed in this process (tests install their own).
    return null;
  }
}

/** Worker.create's failure as one clear message when the cause is the configuration (exit 78 in cli/). */
function createFailure(err: unknown, namespace: string): Error {
  const e = err as Error;
  if (e.name === 'NamespaceNotFoundError' || /namespace .* (is )?not found/i.test(e.message ?? '')) {
    const c = new ConfigError(
      `Temporal has no namespace "${namespace}" (TEMPORAL_NAMESPACE).\nSet TEMPORAL_NAMESPACE to an existing namespace (Temporal Cloud: <name>.<account>), or create it (temporal operator namespace create ${namespace}).`,
    );
    c.cause = err;
    return c;
  }
  return e;
}

/**
 * Stops the worker in order, saying why, when the JavaScript heap is nearly
 * full: Node's alternative is a native abort that leaves no chance to finish
 * activities or close connections. With a sized cache this should not happen;
 * if it does, the cache is too large for the heap (WORKER_MAX_CACHED_WORKFLOWS,
 * or node's --max-old-space-size).
 */
function watchHeap(log: Logger, stop: () => void, rssLimitMb: number | undefined): NodeJS.Timeout {
  const limit = getHeapStatistics().heap_size_limit;
  const timer = setInterval(() => {
    const used = getHeapStatistics().used_heap_size;
    // The whole process (V8 heap, the SDK's native core, buffers) against the
    // operator's budget: a container's OOM killer would not let us stop in order.
    const rss = rssLimitMb === undefined ? 0 : process.memoryUsage.rss();
    const overRss = rssLimitMb !== undefined && rss >= rssLimitMb * 2 ** 20 * 0.9;
    if (used < limit * 0.9 && !overRss) return;
    clearInterval(timer);
    if (overRss) {
      log.fatal(
        { rssMb: Math.round(rss / 2 ** 20), limitMb: rssLimitMb },
        'the worker is near its memory limit (90% of WORKER_MEMORY_LIMIT_MB): stopping in order; lower WORKER_MAX_CACHED_WORKFLOWS or raise the limit',
      );
    } else {
      log.fatal(
        { usedMb: Math.round(used / 2 ** 20), limitMb: Math.round(limit / 2 ** 20) },
        'the worker is out of memory: stopping in order; lower WORKER_MAX_CACHED_WORKFLOWS or raise the heap (--max-old-space-size)',
      );
    }
    process.exitCode = 70; // EX_SOFTWARE
    stop();
  }, MEMORY_CHECK_MS);
  timer.unref();
  return timer;
}

/** The worker stopped because a thread reached its heap limit (cli/ exits 70, as the memory guard does). */
export class WorkerOutOfMemoryError extends Error {
  override name = 'WorkerOutOfMemoryError';
}

/**
 * A workflow thread that reaches its heap limit is terminated by Node
 * (ERR_WORKER_OUT_OF_MEMORY), not the process, and the SDK's worker fails:
 * that failure, said once, clearly, with what to change, and exit 70 instead
 * of a stack trace and exit 1. The runs it held move to another worker.
 */
function outOfMemory(err: unknown, log: Logger): WorkerOutOfMemoryError | null {
  const text = `${(err as Error)?.message ?? ''} ${String((err as Error)?.cause ?? '')}`;
  if (!/ERR_WORKER_OUT_OF_MEMORY|reaching memory limit/.test(text)) return null;
  const limitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  log.fatal(
    { limitMb },
    'a workflow thread ran out of memory: the worker stopped in order; lower WORKER_MAX_CACHED_WORKFLOWS or raise the heap (--max-old-space-size)',
  );
  process.exitCode = 70; // EX_SOFTWARE, as the memory guard
  const e = new WorkerOutOfMemoryError('a workflow thread ran out of memory (see the log line before)');
  e.cause = err;
  return e;
}

/** How often the memory guard looks (a cached run costs well under 1 MB, so memory creeps, it does not jump). */
const MEMORY_CHECK_MS = 5_000;

async function connectWithRetry(env: RoleEnv<'worker'>, log: Logger): Promise<NativeConnection> {
  const settings = temporalSettings(env);
  const opts = connectionOptions(settings);
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect({ address: opts.address, tls: opts.tls, apiKey: settings.apiKey, metadata: opts.metadata });
    } catch (err) {
      const delay = Math.min(1000 * 2 ** Math.min(attempt - 1, 5), 30_000);
      log.warn({ attempt, ...errorFields(err), retryInMs: delay }, 'cannot reach Temporal (TEMPORAL_ADDRESS); retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** How the journeys worker polls for workflow tasks (WORKER_WORKFLOW_TASK_POLLERS). */
function workflowPollers(env: RoleEnv<'worker'>): NonNullable<WorkerOptions['workflowTaskPollerBehavior']> {
  const slots = Math.min(env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, Math.max(2, env.WORKER_MAX_CACHED_WORKFLOWS));
  const p = env.WORKER_WORKFLOW_TASK_POLLERS;
  return p === 'auto'
    ? { type: 'autoscaling', minimum: 2, initial: Math.min(10, slots), maximum: slots }
    : { type: 'simple-maximum', maximum: Math.min(p, slots) };
}

export async function startWorker(
  env: RoleEnv<'worker'>,
  opts: { workflowBundle?: WorkflowBundleWithSourceMap; db?: Db; mailer?: Mailer; log?: Logger } = {},
): Promise<RunningWorker> {
  const log = opts.log ?? createLogger('worker', env.LOG_LEVEL);
  const coreMetrics = await installRuntime(log, env.WORKER_METRICS_PORT !== 'off');
  // Activities cannot work without PostgreSQL: say so now rather than fail every task.
  if (!opts.db) await checkDatabase(env.DATABASE_URL);
  const db = opts.db ?? createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  const mailer = opts.mailer ?? createMailer(env.SMTP_URL, env.SMTP_POOL_SIZE);
  const t = temporalSettings(env);
  const connection = await connectWithRetry(env, log);
  const polls = new Set(env.WORKER_TASK_QUEUES);
  // Newsletter chunks run with the journeys' activities: only a worker polling them renders in bulk.
  const preparer = polls.has('journeys') ? createPreparer(env.RENDER_THREADS ?? defaultRenderThreads()) : inlinePreparer;
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
    preparer,
  });
  const workflowSource = opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
  // Sized on purpose rather than from the heap: each cached run costs a few
  // hundred KB (bench:volume measures it), so the cache bounds the worker's
  // memory however many runs wait; a run not in the cache replays its (short,
  // continue-as-new-bounded) history when it wakes.
  const sizing = {
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: Math.min(env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, Math.max(2, env.WORKER_MAX_CACHED_WORKFLOWS)),
    maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    workflowTaskPollerBehavior: workflowPollers(env),
    shutdownGraceTime: env.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
    interceptors: { activity: [retryNotice(log), livenessHeartbeat] },
  };
  const ownEmailQueue = t.emailTaskQueue !== t.taskQueue;
  const workers: Worker[] = [];
  let metrics: MetricsServer | null = null;
  try {
    // First: a taken metrics port fails in a moment, before the workflow bundle is built.
    if (env.WORKER_METRICS_PORT !== 'off') {
      metrics = await startMetricsServer({
        host: env.WORKER_METRICS_HOST,
        port: env.WORKER_METRICS_PORT,
        token: env.METRICS_TOKEN,
        coreAddress: coreMetrics,
      });
    }
    if (polls.has('journeys')) {
      workers.push(
        await Worker.create({ connection, namespace: t.namespace, taskQueue: t.taskQueue, ...workflowSource, activities, ...sizing }),
      );
    }
    if (ownEmailQueue && polls.has('email')) {
      workers.push(
        await Worker.create({
          connection,
          namespace: t.namespace,
          taskQueue: t.emailTaskQueue,
          activities: { sendEmail: activities.sendEmail },
          // As many sends at once as SMTP connections: a send claims its row before
          // SMTP, so a worker that dies leaves at most this many `indeterminate`.
          maxConcurrentActivityTaskExecutions: Math.min(env.WORKER_MAX_CONCURRENT_ACTIVITIES, env.SMTP_POOL_SIZE),
          // Enforced by Temporal over the whole queue (every worker polling it); the last poller's value wins.
          ...(env.EMAIL_RATE_PER_SECOND !== undefined ? { maxTaskQueueActivitiesPerSecond: env.EMAIL_RATE_PER_SECOND } : {}),
          shutdownGraceTime: sizing.shutdownGraceTime,
          interceptors: sizing.interceptors,
        }),
      );
    }
  } catch (err) {
    await metrics?.close();
    await preparer.close();
    await connection.close().catch(() => undefined);
    if (!opts.mailer) mailer.close();
    if (!opts.db) await db.$disconnect();
    throw createFailure(err, t.namespace);
  }
  const taskQueues = [...(polls.has('journeys') ? [t.taskQueue] : []), ...(polls.has('email') && ownEmailQueue ? [t.emailTaskQueue] : [])];
  log.info(
    {
      taskQueues,
      namespace: t.namespace,
      emailRatePerSecond: env.EMAIL_RATE_PER_SECOND ?? null,
      renderThreads: preparer.threads,
      metricsUrl: metrics?.url ?? null,
      ...sizing,
      interceptors: undefined,
    },
    'worker running',
  );
  const guard = watchHeap(log, () => void shutdown(), env.WORKER_MEMORY_LIMIT_MB);
  // One worker failing (e.g. its namespace went away) stops the others, then everything closes.
  const done = Promise.all(
    workers.map((w) =>
      w.run().catch((err: unknown) => {
        for (const other of workers) if (other.getState() === 'RUNNING') other.shutdown();
        throw outOfMemory(err, log) ?? err;
      }),
    ),
  )
    .finally(async () => {
      await metrics?.close();
      await preparer.close();
      await connection.close().catch(() => undefined);
      if (!opts.mailer) mailer.close();
      if (!opts.db) await db.$disconnect();
    })
    .then(
      () => undefined,
      (err: unknown) => {
        throw createFailure(err, t.namespace);
      },
    );
  async function shutdown(): Promise<void> {
    clearInterval(guard);
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await done;
  }
  return { done, shutdown };
}
