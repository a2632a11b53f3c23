// Secrets for the embedded stack, made once and kept in .data/secrets.json so
// that a second `npm start` accepts the same API key and signed links.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const secretsSchema = z.object({
  apiKey: z.string(),
  linkSecret: z.string(),
  webhookSecrets: z.record(z.string(), z.string()),
  /** The workspace's first admin, written by stack/dashboard-admin.ts on first start. */
  dashboard: z.object({ url: z.string(), email: z.string(), password: z.string() }).optional(),
});
export type StackSecrets = z.infer<typeof secretsSchema>;

/** Webhook sources the embedded stack accepts out of the box. */
export const DEFAULT_WEBHOOK_SOURCES = ['shop', 'website', 'webinar', 'email'];

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

export function loadOrCreateSecrets(file: string): StackSecrets {
  if (existsSync(file)) return secretsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const s: StackSecrets = {
    apiKey: token('rk'),
    linkSecret: token('ls'),
    webhookSecrets: Object.fromEntries(DEFAULT_WEBHOOK_SOURCES.map((src) => [src, token('whsec')])),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

/** Adds or replaces fields of the secrets file (kept private: mode 0600). */
export function updateSecrets(file: string, patch: Partial<StackSecrets>): StackSecrets {
  const next = { ...loadOrCreateSecrets(file), ...patch };
  writeFileSync(file, JSON.stringify(next, null, 2), { mode: 0o600 });
  return next;
}
