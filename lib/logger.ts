// One pino logger for the process. Redacts fields that may carry PII or secrets.
import { pino, type Logger } from 'pino';
import { redactEmails } from './redact';

export type { Logger };

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'email',
        '*.email',
        'to',
        '*.to',
        'toAddress',
        '*.toAddress',
        'phone',
        '*.phone',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'apiKey',
        '*.apiKey',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
  });
}

/** An error as log fields: type, message and code, and the same for its causes (up to 3), addresses redacted. */
export interface ErrorSummary {
  type: string;
  message: string;
  code?: string;
  cause?: ErrorSummary;
}

export function summarizeError(err: unknown, depth = 0): ErrorSummary {
  if (!(err instanceof Error)) return { type: typeof err, message: redactEmails(String(err)).slice(0, 1000) };
  const out: ErrorSummary = { type: err.name || err.constructor?.name || 'Error', message: redactEmails(err.message ?? '').slice(0, 1000) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
  if (err.cause !== undefined && depth < 3) out.cause = summarizeError(err.cause, depth + 1);
  return out;
}

/** `{ err: { type, message, code, cause } }` for a log call: what `err.message` alone loses. */
export function errorFields(err: unknown): { err: ErrorSummary } {
  return { err: summarizeError(err) };
}

/**
 * A Temporal SDK log entry's metadata as flat log fields. The SDK puts an
 * Error (e.g. "Activity failed") in `meta.error`; nested as-is it serializes
 * to `{}` and the message is lost. Errors become `err` summaries; plain values
 * stay; nested objects (workflow and activity info) keep their scalar fields.
 */
export function sdkLogFields(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (v instanceof Error) out[k === 'error' || k === 'failure' ? 'err' : k] = summarizeError(v);
    else if (typeof v === 'bigint') out[k] = v.toString();
    else out[k] = v;
  }
  return out;
}
