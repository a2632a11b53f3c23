// Every environment variable Rapport reads, validated once at start.
// A wrong or missing value stops the process with a message naming the variable.
// The README's "Configuration" table documents each of them.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

/** "name=secret,name2=secret2" -> { name: secret, ... } */
const keyValueList = z.string().transform((s, ctx) => {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
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

  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
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
    .regex(/^\s*$|^\s*([01]?\d|2[0-3]):[0-5]\d\s*-\s*([01]?\d|2[0-3]):[0-5]\d\s*$/, 'must look like "21:00-08:00" (contact-local), or be empty')
    .default(''),

  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  RAPPORT_API_KEYS: z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(secret).min(1, 'must list at least one API key')),
  WEBHOOK_SECRETS: keyValueList.pipe(z.record(z.string(), secret)),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
  LINK_SIGNING_SECRET: secret,
  /** Signs calls made by journeys' webhook steps (header Rapport-Signature). */
  OUTGOING_WEBHOOK_SECRET: secret.optional(),

  DISPATCHER_ENABLED: bool.default(true),
  DISPATCH_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  DISPATCH_POLL_MS: z.coerce.number().int().min(50).max(60000).default(1000),
  DISPATCH_MAX_BACKOFF_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),

  /** Largest contact import body (POST /v1/contacts/import); larger ones get 413. */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(256 * 1024 * 1024),
  /** Imports up to this size (by Content-Length) answer with their report; larger ones run as a background job. */
  IMPORT_SYNC_MAX_BYTES: z.coerce.number().int().min(0).default(1024 * 1024),
});

export type Env = z.infer<typeof envSchema>;

/** Which variables a process role needs; the rest are ignored for that role. */
const roles = {
  migrate: ['NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL'],
  worker: [
    'NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL', 'DATABASE_POOL_SIZE',
    'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS',
    'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_NAME',
    'TEMPORAL_TASK_QUEUE', 'TEMPORAL_EMAIL_TASK_QUEUE',
    'SMTP_URL', 'SMTP_POOL_SIZE', 'MAIL_FROM', 'PUBLIC_URL', 'LINK_SIGNING_SECRET',
    'LIST_UNSUBSCRIBE_MAILTO', 'FREQUENCY_CAP_PER_7D', 'QUIET_HOURS',
    'OUTGOING_WEBHOOK_SECRET',
  ],
  server: [
    'NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL', 'DATABASE_POOL_SIZE',
    'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS',
    'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_NAME',
    'TEMPORAL_TASK_QUEUE', 'TEMPORAL_EMAIL_TASK_QUEUE',
    // The server sends mail too: template test sends and double opt-in confirmations.
    'SMTP_URL', 'SMTP_POOL_SIZE', 'MAIL_FROM',
    'HTTP_HOST', 'HTTP_PORT', 'PUBLIC_URL', 'RAPPORT_API_KEYS', 'WEBHOOK_SECRETS',
    'WEBHOOK_TOLERANCE_SECONDS', 'LINK_SIGNING_SECRET',
    'DISPATCHER_ENABLED', 'DISPATCH_BATCH_SIZE', 'DISPATCH_POLL_MS', 'DISPATCH_MAX_BACKOFF_SECONDS',
    'IMPORT_MAX_BYTES', 'IMPORT_SYNC_MAX_BYTES',
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
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      const why = input[name] === undefined ? 'is required but not set' : i.message;
      return `  ${name}: ${why}`;
    });
    throw new ConfigError(`Invalid configuration for "${role}":\n${lines.join('\n')}\nSee README.md, "Configuration".`);
  }
  return parsed.data as RoleEnv<R>;
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
