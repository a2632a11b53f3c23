// The HTTP server process: API, webhooks, links, and the event dispatcher.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import type { RoleEnv } from '../config/env';
import { ConfigError, temporalSettings } from '../config/env';
import { BacklogGate, temporalBacklogReader } from '../events/backlog-gate';
import { Dispatcher } from '../events/dispatcher';
import { createGroupCommitPool, GROUP_COMMIT_MAX, GroupCommit } from '../events/group-commit';
import { checkDatabase, createDb, type Db } from '../lib/db';
import { createLogger, errorFields, type Logger } from '../lib/logger';
import { dispatchBacklogWait, workflowTaskBacklog } from '../lib/metrics';
import { connectionOptions } from '../lib/temporal-connection';
import { Admission } from './admission';
import { createApp } from './app';
import { registerScrapeSources } from './observability';
import { createMailer, type Mailer } from '../email/transport';

export interface RunningServer {
  url: string;
  port: number;
  dispatcher: Dispatcher | null;
  close(): Promise<void>;
}

export async function startServer(env: RoleEnv<'server'>, opts: { db?: Db; log?: Logger; mailer?: Mailer } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger('server', env.LOG_LEVEL);
  // Without PostgreSQL the server can never be ready (it stores every event before
  // answering): say so at start. Once running, losing it only turns /health/ready to 503.
  if (!opts.db) await checkDatabase(env.DATABASE_URL);
  const db = opts.db ?? createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  // The dispatcher has a pool of its own (DISPATCH_POOL_SIZE): draining a
  // backlog (64 contacts at once) must not take the connections the HTTP
  // handlers need, nor a burst of requests stall the dispatcher.
  const dispatchDb = env.DISPATCHER_ENABLED && !opts.db ? createDb(env.DATABASE_URL, env.DISPATCH_POOL_SIZE) : null;
  // Its own connections, like the dispatcher's: one-statement events of
  // concurrent requests are committed in groups (events/group-commit.ts).
  const ingestPool =
    env.INGEST_POOL_SIZE > 0 && !opts.db
      ? createGroupCommitPool(env.DATABASE_URL, env.INGEST_POOL_SIZE, (err) =>
          log.warn(errorFields(err), 'an idle ingest connection failed; it will be replaced'),
        )
      : null;
  const ingestGroup = ingestPool
    ? new GroupCommit(ingestPool, { connections: env.INGEST_POOL_SIZE, maxGroup: GROUP_COMMIT_MAX })
    : undefined;
  const t = temporalSettings(env);
  // Lazy: the server starts and accepts events while Temporal is unreachable.
  // No gRPC retry interceptor: the outbox already retries every delivery, and the
  // SDK's retry timers can outlive a call's deadline and fire on a closed channel.
  const connection = Connection.lazy({ ...connectionOptions(t), interceptors: [] });
  const client = new Client({ connection, namespace: t.namespace });
  const namespaceCheck = checkNamespace(connection, t.namespace, log);
  const dispatcher = env.DISPATCHER_ENABLED
    ? new Dispatcher({
        db: dispatchDb ?? db,
        client,
        log,
        taskQueue: t.taskQueue,
        emailTaskQueue: t.emailTaskQueue,
        batchSize: env.DISPATCH_BATCH_SIZE,
        concurrency: env.DISPATCH_CONCURRENCY,
        leaseSeconds: env.DISPATCH_LEASE_SECONDS,
        pollMs: env.DISPATCH_POLL_MS,
        maxBackoffSeconds: env.DISPATCH_MAX_BACKOFF_SECONDS,
        backlog: new BacklogGate(temporalBacklogReader(client, t.namespace, t.taskQueue), {
          limit: env.DISPATCH_MAX_TASK_BACKLOG,
          onReadError: (err) =>
            log.warn(
              { ...errorFields(err), taskQueue: t.taskQueue },
              "cannot read the journeys task queue's backlog from Temporal; dispatching without backpressure",
            ),
          onReading: (n) => workflowTaskBacklog.set(n),
          onWaited: (ms) => dispatchBacklogWait.inc(ms / 1000),
        }),
      })
    : null;
  const mailer = opts.mailer ?? createMailer(env.SMTP_URL, env.SMTP_POOL_SIZE);
  const app = createApp({
    db,
    log,
    apiKeys: env.RAPPORT_API_KEYS,
    webhookSecrets: env.WEBHOOK_SECRETS,
    webhookToleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
    linkSecret: env.LINK_SIGNING_SECRET,
    publicUrl: env.PUBLIC_URL,
    async temporalHealthy() {
      await connection.workflowService.getSystemInfo({});
      return true;
    },
    onEventsStored: () => dispatcher?.kick(),
    // Leaves room in the pool for the other endpoints (health, dashboard, API).
    ingestGroup,
    ingestAdmission: new Admission({
      // Grouped requests hold no Prisma connection: as many may store at once as fill the groups.
      concurrency:
        env.INGEST_CONCURRENCY ?? Math.max(1, env.DATABASE_POOL_SIZE - 2) + (ingestGroup ? env.INGEST_POOL_SIZE * GROUP_COMMIT_MAX : 0),
      queueLimit: env.INGEST_QUEUE_LIMIT,
      maxWaitMs: env.INGEST_MAX_WAIT_MS,
    }),
    mailer,
    mailFrom: env.MAIL_FROM,
    temporal: client,
    taskQueue: t.taskQueue,
    imports: { maxBytes: env.IMPORT_MAX_BYTES, syncMaxBytes: env.IMPORT_SYNC_MAX_BYTES },
    metricsToken: env.METRICS_TOKEN,
    mailSinkUrl: env.MAIL_SINK_URL,
  });
  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      // Express 5 passes a failed listen to this callback (and the server has no address then).
      const s = app.listen(env.HTTP_PORT, env.HTTP_HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
  } catch (err) {
    await connection.close().catch(() => undefined);
    if (!opts.mailer) mailer.close();
    if (!opts.db) await db.$disconnect();
    await dispatchDb?.$disconnect();
    await ingestPool?.end();
    throw listenFailure(env.HTTP_HOST, env.HTTP_PORT, err as NodeJS.ErrnoException);
  }
  const wrongNamespace = await namespaceCheck;
  if (wrongNamespace) {
    await new Promise<void>((r) => server.close(() => r()));
    await connection.close().catch(() => undefined);
    if (!opts.mailer) mailer.close();
    if (!opts.db) await db.$disconnect();
    await dispatchDb?.$disconnect();
    await ingestPool?.end();
    throw wrongNamespace;
  }
  dispatcher?.start();
  const unregisterScrape = registerScrapeSources(db);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${env.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : env.HTTP_HOST}:${port}`;
  log.info({ url }, 'HTTP server listening');
  return {
    url,
    port,
    dispatcher,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      unregisterScrape();
      await dispatcher?.stop();
      await connection.close();
      if (!opts.mailer) mailer.close();
      if (!opts.db) await db.$disconnect();
      await dispatchDb?.$disconnect();
      await ingestPool?.end();
    },
  };
}

/**
 * A namespace Temporal says does not exist is a configuration error (every
 * dispatch would fail); a Temporal that does not answer is not: events wait in
 * the outbox until it does.
 */
/** gRPC status NOT_FOUND (grpc-js is not a direct dependency). */
const GRPC_NOT_FOUND = 5;

async function checkNamespace(connection: Connection, namespace: string, log: Logger): Promise<ConfigError | null> {
  try {
    await connection.withDeadline(Date.now() + 3000, () => connection.workflowService.describeNamespace({ namespace }));
    return null;
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) {
      const e = new ConfigError(
        `Temporal has no namespace "${namespace}" (TEMPORAL_NAMESPACE).\nSet TEMPORAL_NAMESPACE to an existing namespace (Temporal Cloud: <name>.<account>), or create it (temporal operator namespace create ${namespace}).`,
      );
      e.cause = err;
      return e;
    }
    log.warn(errorFields(err), 'Temporal (TEMPORAL_ADDRESS) does not answer yet; accepting events, which wait until it does');
    return null;
  }
}

/** A port or address the server cannot take, naming the variable that chooses it (exit 78 in cli/). */
function listenFailure(host: string, port: number, err: NodeJS.ErrnoException): Error {
  const at = `${host}:${port}`;
  const e =
    err.code === 'EADDRINUSE'
      ? new ConfigError(
          `The HTTP server cannot listen on ${at}: port ${port} is already in use (another Rapport, or another program).\nStop it, or set HTTP_PORT to a free port (0 picks any).`,
        )
      : err.code === 'EACCES'
        ? new ConfigError(
            `The HTTP server cannot listen on ${at}: permission denied (ports below 1024 need privileges).\nSet HTTP_PORT to a port above 1023.`,
          )
        : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
          ? new ConfigError(
              `The HTTP server cannot listen on ${at}: ${host} is not an address of this machine.\nSet HTTP_HOST to one (127.0.0.1, or 0.0.0.0 for all).`,
            )
          : new ConfigError(`The HTTP server cannot listen on ${at} (HTTP_HOST, HTTP_PORT): ${err.code ?? 'error'}: ${err.message}`);
  e.cause = err;
  return e;
}
