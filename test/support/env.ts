// Environment objects for the worker and server roles in tests.
import { randomBytes } from 'node:crypto';
import { loadEnv } from '../../config/env';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';
export const TEST_WEBHOOK_SECRET = 'whsec_test_0123456789abcdef';
export const TEST_LINK_SECRET = 'link-secret-0123456789abcdef';
export const TEST_OUTGOING_SECRET = 'outgoing-secret-0123456789abcdef';

export function testEnv(opts: {
  databaseUrl: string;
  temporalAddress: string;
  smtpUrl: string;
  taskQueue?: string;
  overrides?: Record<string, string>;
}) {
  const queue = opts.taskQueue ?? `test-${randomBytes(4).toString('hex')}`;
  const raw: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: opts.databaseUrl,
    DATABASE_POOL_SIZE: '5',
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: queue,
    TEMPORAL_EMAIL_TASK_QUEUE: `${queue}-email`,
    SMTP_URL: opts.smtpUrl,
    HTTP_PORT: '0',
    PUBLIC_URL: 'http://rapport.test',
    RAPPORT_API_KEYS: TEST_API_KEY,
    WEBHOOK_SECRETS: `shop=${TEST_WEBHOOK_SECRET}`,
    LINK_SIGNING_SECRET: TEST_LINK_SECRET,
    OUTGOING_WEBHOOK_SECRET: TEST_OUTGOING_SECRET,
    DISPATCH_POLL_MS: '200',
    // Workers in one test process would all want the default port; tests that scrape turn it on.
    WORKER_METRICS_PORT: 'off',
    // A thread per worker would load the renderer again in every test's worker;
    // the newsletter tests that cover the threads turn them on.
    RENDER_THREADS: '0',
    ...opts.overrides,
  };
  return { raw, worker: loadEnv('worker', raw), server: loadEnv('server', raw), migrate: loadEnv('migrate', raw) };
}
