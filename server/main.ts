// The HTTP server process: API, webhooks, links, and the event dispatcher.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { RoleEnv } from '../config/env';
import { temporalSettings } from '../config/env';
import { Dispatcher } from '../events/dispatcher';
import { createDb, type Db } from '../lib/db';
import { createLogger, type Logger } from '../lib/logger';
import { connectionOptions } from '../lib/temporal-connection';
import { createApp } from './app';
import { createMailer, type Mailer } from '../email/transport';

export interface RunningServer {
  url: string;
  port: number;
  dispatcher: Dispatcher | null;
  close(): Promise<void>;
}

export async function startServer(env: RoleEnv<'server'>, opts: { db?: Db; log?: Logger; mailer?: Mailer } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger('server', env.LOG_LEVEL);
  const db = opts.db ?? createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  const t = temporalSettings(env);
  // Lazy: the server starts and accepts events while Temporal is unreachable.
  // No gRPC retry interceptor: the outbox already retries every delivery, and the
  // SDK's retry timers can outlive a call's deadline and fire on a closed channel.
  const connection = Connection.lazy({ ...connectionOptions(t), interceptors: [] });
  const client = new Client({ connection, namespace: t.namespace });
  const dispatcher = env.DISPATCHER_ENABLED
    ? new Dispatcher({
        db,
        client,
        log,
        taskQueue: t.taskQueue,
        emailTaskQueue: t.emailTaskQueue,
        batchSize: env.DISPATCH_BATCH_SIZE,
        pollMs: env.DISPATCH_POLL_MS,
        maxBackoffSeconds: env.DISPATCH_MAX_BACKOFF_SECONDS,
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
    mailer,
    mailFrom: env.MAIL_FROM,
    temporal: client,
    taskQueue: t.taskQueue,
    imports: { maxBytes: env.IMPORT_MAX_BYTES, syncMaxBytes: env.IMPORT_SYNC_MAX_BYTES },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(env.HTTP_PORT, env.HTTP_HOST, () => resolve(s));
    s.once('error', reject);
  });
  dispatcher?.start();
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
      await dispatcher?.stop();
      await connection.close();
      if (!opts.mailer) mailer.close();
      if (!opts.db) await db.$disconnect();
    },
  };
}
