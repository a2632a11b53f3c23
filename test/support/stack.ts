// The production processes (server + worker) in-process, on the suite's real
// PostgreSQL and Temporal dev server and a real SMTP sink.
import { inject } from 'vitest';
import { seedShippedContent } from '../../db/seed';
import { createLogger } from '../../lib/logger';
import { startServer, type RunningServer } from '../../server/main';
import { signWebhook } from '../../lib/webhook-signature';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { startWorker, type RunningWorker } from '../../worker/worker';
import { freshDatabase, type TestDb } from './db';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET, testEnv } from './env';
import { workflowBundle } from './temporal';

export interface TestStack {
  tdb: TestDb;
  sink: MailSink;
  env: ReturnType<typeof testEnv>;
  server: RunningServer | null;
  worker: RunningWorker | null;
  startServer(overrides?: Record<string, string>): Promise<RunningServer>;
  startWorker(): Promise<RunningWorker>;
  api(path: string, init?: { method?: string; body?: unknown; key?: string | null }): Promise<{ status: number; body: any }>;
  webhook(
    source: string,
    body: unknown,
    opts?: { secret?: string; timestamp?: number },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestStack(
  name: string,
  opts: { temporalAddress?: string; serverOverrides?: Record<string, string> } = {},
): Promise<TestStack> {
  const tdb = await freshDatabase(name);
  await seedShippedContent(tdb.db);
  const sink = await startMailSink({ smtpPort: 0 });
  const env = testEnv({
    databaseUrl: tdb.url,
    temporalAddress: opts.temporalAddress ?? inject('temporalAddress'),
    smtpUrl: sink.smtpUrl,
    overrides: { DISPATCH_MAX_BACKOFF_SECONDS: '1', ...opts.serverOverrides },
  });
  const log = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const stack: TestStack = {
    tdb,
    sink,
    env,
    server: null,
    worker: null,
    async startServer(overrides = {}) {
      const e = testEnv({
        databaseUrl: tdb.url,
        temporalAddress: env.server.TEMPORAL_ADDRESS,
        smtpUrl: sink.smtpUrl,
        taskQueue: env.server.TEMPORAL_TASK_QUEUE,
        overrides: { ...env.raw, ...overrides },
      });
      stack.server = await startServer(e.server, { log });
      return stack.server;
    },
    async startWorker() {
      stack.worker = await startWorker(env.worker, { workflowBundle: await workflowBundle(), log });
      return stack.worker;
    },
    async api(path, init = {}) {
      const key = init.key === undefined ? TEST_API_KEY : init.key;
      const res = await fetch(`${stack.server!.url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      });
      const text = await res.text();
      return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    },
    async webhook(source, body, o = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await fetch(`${stack.server!.url}/webhooks/${source}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'rapport-signature': signWebhook(o.secret ?? TEST_WEBHOOK_SECRET, raw, o.timestamp),
        },
        body: raw,
      });
      return { status: res.status, body: await res.json(), headers: res.headers };
    },
    async close() {
      await stack.server?.close();
      await stack.worker?.shutdown();
      await sink.close();
      await tdb.close();
    },
  };
  return stack;
}
