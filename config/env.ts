// Every environment variable Rapport reads, validated once at start.
// A wrong or missing value stops the process with a message naming the variable.
// The README's "Configuration" table documents each of them.
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

/** "name=secret,name2=secret2" -> { name: secret, ... } */
const keyValueList = z.string().transform((s, ctx) => {
  const out: Record<string, string> = {};
  for (const part of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0 || i === part.length - 1) {
      ctx.addIssue({ code: 'custom', message: `expected "source=secret" pairs, got an entry without "="` });
      return z.NEVER;
    }
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
});

const secret = z.string().min(16, 'must be at least 16 characters');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),

  // gRPC takes host:port; a URL (http://...) would pass a naive check and then retry forever.
  TEMPORAL_ADDRESS: z
    .string()
    .regex(
      /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
      'must be host:port (e.g. localhost:7233 or ns.acct.tmprl.cloud:7233), without a scheme such as http://',
    )
    .default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('rapport-journeys'),
  TEMPORAL_EMAIL_TASK_QUEUE: z.string().min(1).default('rapport-email'),

  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL'),
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  MAIL_FROM: z.string().min(3).default('Rapport <hello@rapport.localhost>'),
  /** mailto: address in List-Unsubscribe (RFC 2369); default unsubscribe@<MAIL_FROM domain>. */
  LIST_UNSUBSCRIBE_MAILTO: z.email().optional(),
  /** Most marketing emails one contact gets in any rolling 7 days; more are deferred. 0: no cap. */
  FREQUENCY_CAP_PER_7D: z.coerce.number().int().min(0).max(1000).default(5),
  /** Contact-local hours with no marketing email, e.g. "21:00-08:00"; sends are deferred to the end. Empty: none. */
  QUIET_HOURS: z
    .string()
    .regex(
      /^\s*$|^\s*([01]?\d|2[0-3]):[0-5]\d\s*-\s*([01]?\d|2[0-3]):[0-5]\d\s*$/,
      'must look like "21:00-08:00" (contact-local), or be empty',
    )
    .default(''),

  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  /** Base of links in emails. Unset: http://localhost:<HTTP_PORT> (see defaultPublicUrl). */
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  RAPPORT_API_KEYS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(secret).min(1, 'must list at least one API key')),
  WEBHOOK_SECRETS: keyValueList.pipe(z.record(z.string(), secret)),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
  LINK_SIGNING_SECRET: secret,
  /** Signs calls made by journeys' webhook steps (header Rapport-Signature). */
  OUTGOING_WEBHOOK_SECRET: secret.optional(),

  /** Workflow runs kept in the worker's memory between their tasks (Temporal's sticky cache); the rest replay on wake-up. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100000).default(1000),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(40),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(5000).default(100),
  /**
   * Workflow task polls at once: a number (at most that many, a fifth of them on the
   * non-sticky queue, where new runs' first tasks wait) or `auto` (scaled from the
   * server's backlog hints, up to WORKER_MAX_CONCURRENT_WORKFLOW_TASKS).
   */
  WORKER_WORKFLOW_TASK_POLLERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(2).max(1000)], { error: 'must be "auto" or a whole number from 2 to 1000' })
    .default(10),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).max(5000).default(100),
  /** Threads that render newsletter emails (email/prepare-pool.ts); unset: one less than the CPUs, at most 4; 0: on the activity's thread. */
  RENDER_THREADS: z.coerce.number().int().min(0).max(16).optional(),
  /** On SIGTERM: how long activities in flight may finish before they are cancelled. */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(20),
  /** The worker's memory budget (RSS); at 90% of it the worker logs why and stops in order (exit 70). Unset: only the JS heap is watched. */
  WORKER_MEMORY_LIMIT_MB: z.coerce.number().int().min(64).max(1_000_000).optional(),

  /** Port of the worker's Prometheus metrics (its own and the Temporal SDK's); 0: any free port (logged); "off": none. */
  WORKER_METRICS_PORT: z.union([z.literal('off'), port]).default(9464),
  /** Bind address of the worker's metrics port (0.0.0.0 in containers, for the scraper). */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Task queues this worker polls: journeys (workflows and their activities), email (journey sends). */
  WORKER_TASK_QUEUES: z
    .string()
    .transform((s) => [
      ...new Set(
        s
          .split(',')
          .map((q) => q.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.enum(['journeys', 'email'], { message: 'must list journeys and/or email, comma-separated' }))
        .min(1, 'must list journeys and/or email, comma-separated'),
    )
    .default(['journeys', 'email']),
  /** Journey emails per second over the whole email task queue (Temporal enforces it across workers); unset: no limit. */
  EMAIL_RATE_PER_SECOND: z.coerce.number().positive().max(100000).optional(),
  /** Bearer token for GET /metrics (server) and the worker's metrics port; unset: open (bind them to a private network). */
  METRICS_TOKEN: secret.optional(),

  /** Requests storing events at once (POST /v1/events, webhooks); default: DATABASE_POOL_SIZE - 2, plus 32 per INGEST_POOL_SIZE connection. More wait, then get 429. */
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  /** The server's connections for group-committed events (beside DATABASE_POOL_SIZE); 0: each event its own statement through Prisma. */
  INGEST_POOL_SIZE: z.coerce.number().int().min(0).max(100).default(4),
  /** Requests that may wait for their turn; beyond, 429 with Retry-After. */
  INGEST_QUEUE_LIMIT: z.coerce.number().int().min(0).max(100000).default(1000),
  /** Longest wait for a turn before 429. */
  INGEST_MAX_WAIT_MS: z.coerce.number().int().min(1).max(60000).default(2000),

  DISPATCHER_ENABLED: bool.default(true),
  DISPATCH_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** Contacts whose events one dispatcher delivers at once (each contact's in order). */
  DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  /** Lease on claimed events; renewed while they are worked on, so a dead dispatcher's events move on within it. */
  DISPATCH_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(30),
  DISPATCH_POLL_MS: z.coerce.number().int().min(50).max(60000).default(1000),
  /** The dispatcher's own connections, beside DATABASE_POOL_SIZE: a backlog being drained never takes the HTTP handlers' connections. */
  DISPATCH_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  DISPATCH_MAX_BACKOFF_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** Workflow tasks waiting in the journeys task queue above which the dispatcher waits for the workers (0: never). */
  DISPATCH_MAX_TASK_BACKLOG: z.coerce.number().int().min(0).max(1_000_000).default(200),

  /** Largest contact import body (POST /v1/contacts/import); larger ones get 413. */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /** Imports up to this size (by Content-Length) answer with their report; larger ones run as a background job. */
  IMPORT_SYNC_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1024 * 1024),

  /** The embedded mail sink's web address (set by `npm start` when it runs the sink): the workspace's Mail page reads it. */
  MAIL_SINK_URL: z.url().optional(),
});

export type Env = z.infer<typeof envSchema>;

/** What the worker and the server both read: logging, the database and Temporal. */
const TEMPORAL_ROLE = [
  'NODE_ENV',
  'LOG_LEVEL',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CERT_PATH',
  'TEMPORAL_TLS_KEY_PATH',
  'TEMPORAL_TLS_CA_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_EMAIL_TASK_QUEUE',
] as const;

/** Which variables a process role needs; the rest are ignored for that role. */
const roles = {
  migrate: ['NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL'],
  worker: [
    ...TEMPORAL_ROLE,
    'SMTP_URL',
    'SMTP_POOL_SIZE',
    'MAIL_FROM',
    'PUBLIC_URL',
    'LINK_SIGNING_SECRET',
    'LIST_UNSUBSCRIBE_MAILTO',
    'FREQUENCY_CAP_PER_7D',
    'QUIET_HOURS',
    'OUTGOING_WEBHOOK_SECRET',
    'WORKER_MAX_CACHED_WORKFLOWS',
    'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
    'WORKER_MAX_CONCURRENT_ACTIVITIES',
    'WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES',
    'WORKER_WORKFLOW_TASK_POLLERS',
    'WORKER_SHUTDOWN_GRACE_SECONDS',
    'WORKER_MEMORY_LIMIT_MB',
    'RENDER_THREADS',
    'WORKER_METRICS_PORT',
    'WORKER_METRICS_HOST',
    'WORKER_TASK_QUEUES',
    'EMAIL_RATE_PER_SECOND',
    'METRICS_TOKEN',
  ],
  server: [
    ...TEMPORAL_ROLE,
    // The server sends mail too: template test sends and double opt-in confirmations.
    'SMTP_URL',
    'SMTP_POOL_SIZE',
    'MAIL_FROM',
    'HTTP_HOST',
    'HTTP_PORT',
    'PUBLIC_URL',
    'RAPPORT_API_KEYS',
    'WEBHOOK_SECRETS',
    'WEBHOOK_TOLERANCE_SECONDS',
    'LINK_SIGNING_SECRET',
    'INGEST_CONCURRENCY',
    'INGEST_POOL_SIZE',
    'INGEST_QUEUE_LIMIT',
    'INGEST_MAX_WAIT_MS',
    'DISPATCHER_ENABLED',
    'DISPATCH_BATCH_SIZE',
    'DISPATCH_CONCURRENCY',
    'DISPATCH_LEASE_SECONDS',
    'DISPATCH_POLL_MS',
    'DISPATCH_MAX_BACKOFF_SECONDS',
    'DISPATCH_MAX_TASK_BACKLOG',
    'DISPATCH_POOL_SIZE',
    'IMPORT_MAX_BYTES',
    'IMPORT_SYNC_MAX_BYTES',
    'METRICS_TOKEN',
    'MAIL_SINK_URL',
  ],
} as const satisfies Record<string, readonly (keyof Env)[]>;

export type Role = keyof typeof roles;
export type RoleEnv<R extends Role> = Pick<Env, (typeof roles)[R][number]>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadEnv<R extends Role>(role: R, source: NodeJS.ProcessEnv = process.env): RoleEnv<R> {
  const keys = roles[role] as readonly (keyof Env)[];
  const mask = Object.fromEntries(keys.map((k) => [k, true])) as { [K in keyof Env]?: true };
  const schema = envSchema.pick(mask);
  const input: Record<string, string | undefined> = {};
  for (const k of keys) {
    const v = source[k];
    input[k] = v === '' ? undefined : v;
  }
  // The worker reads HTTP_PORT for this too: links must reach the server, whichever role builds them.
  if ('PUBLIC_URL' in mask && input.PUBLIC_URL === undefined) input.PUBLIC_URL = defaultPublicUrl(source.HTTP_PORT);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      const why = input[name] === undefined ? 'is required but not set' : i.message;
      return `  ${name}: ${why}`;
    });
    throw new ConfigError(`Invalid configuration for "${role}":\n${lines.join('\n')}\nSee README.md, "Configuration".`);
  }
  const problems = crossChecks(parsed.data as Partial<Env>);
  if (problems.length > 0)
    throw new ConfigError(
      `Invalid configuration for "${role}":\n${problems.map((p) => `  ${p}`).join('\n')}\nSee README.md, "Configuration".`,
    );
  return parsed.data as RoleEnv<R>;
}

/** Rules between variables (each variable alone is valid). */
function crossChecks(env: Partial<Env>): string[] {
  const out: string[] = [];
  const sameQueue = env.TEMPORAL_TASK_QUEUE !== undefined && env.TEMPORAL_TASK_QUEUE === env.TEMPORAL_EMAIL_TASK_QUEUE;
  if (sameQueue && env.WORKER_TASK_QUEUES && env.WORKER_TASK_QUEUES.length === 1) {
    out.push(
      `WORKER_TASK_QUEUES: "${env.WORKER_TASK_QUEUES[0]}" alone needs TEMPORAL_EMAIL_TASK_QUEUE to differ from TEMPORAL_TASK_QUEUE (both are "${env.TEMPORAL_TASK_QUEUE}")`,
    );
  }
  // The limit is per task queue: on a shared queue it would throttle every activity, not only email.
  if (sameQueue && env.EMAIL_RATE_PER_SECOND !== undefined) {
    out.push(
      `EMAIL_RATE_PER_SECOND: needs TEMPORAL_EMAIL_TASK_QUEUE to differ from TEMPORAL_TASK_QUEUE (both are "${env.TEMPORAL_TASK_QUEUE}"), or it would limit every activity`,
    );
  }
  if (env.EMAIL_RATE_PER_SECOND !== undefined && env.WORKER_TASK_QUEUES && !env.WORKER_TASK_QUEUES.includes('email')) {
    out.push(
      'EMAIL_RATE_PER_SECOND: this worker does not poll the email task queue (WORKER_TASK_QUEUES has no "email"); set the rate on the workers that do',
    );
  }
  return out;
}

/** PUBLIC_URL when it is not set: this machine at HTTP_PORT (3000 when that is unset, 0 or invalid). */
export function defaultPublicUrl(httpPort: string | undefined): string {
  const n = Number(httpPort);
  return `http://localhost:${Number.isInteger(n) && n > 0 && n <= 65535 ? n : 3000}`;
}

/**
 * Why a PUBLIC_URL on this machine (localhost, 127.x, [::1]) cannot reach an HTTP server
 * listening on `port`, or null when it can or names another host (a tunnel or proxy
 * may forward it; that cannot be told from here).
 */
export function publicUrlMismatch(publicUrl: string, port: number): string | null {
  let u: URL;
  try {
    u = new URL(publicUrl);
  } catch {
    return null; // validated elsewhere
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/i.test(u.hostname);
  if (!loopback) return null;
  if (u.protocol !== 'http:') return `it uses ${u.protocol.replace(':', '')}, but this server speaks plain http`;
  const urlPort = Number(u.port || 80);
  return urlPort === port ? null : `it names port ${urlPort}, but this server listens on port ${port}`;
}

export function temporalSettings(env: RoleEnv<'worker'> | RoleEnv<'server'>) {
  return {
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: env.TEMPORAL_TLS || env.TEMPORAL_API_KEY !== undefined || env.TEMPORAL_TLS_CERT_PATH !== undefined,
    certPath: env.TEMPORAL_TLS_CERT_PATH,
    keyPath: env.TEMPORAL_TLS_KEY_PATH,
    caPath: env.TEMPORAL_TLS_CA_PATH,
    serverName: env.TEMPORAL_TLS_SERVER_NAME,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    emailTaskQueue: env.TEMPORAL_EMAIL_TASK_QUEUE,
  };
}
export type TemporalSettings = ReturnType<typeof temporalSettings>;
