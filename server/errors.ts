// Errors as JSON: { "error": { "code", "message", "details" } }, with the
// offending field named in details[].path.
import type { ErrorRequestHandler } from 'express';
import { type z } from 'zod';
import { DomainError, type DomainErrorKind, type ErrorDetail } from '../lib/errors';
import type { Logger } from '../lib/logger';

export type { ErrorDetail };

/** The one place a domain error's kind becomes an HTTP status. */
export const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

/** A domain error as the HTTP error it answers with. */
export function httpErrorOf(err: DomainError): HttpError {
  return new HttpError(STATUS_OF_KIND[err.kind], err.code, err.message, err.details);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

type Issue = z.core.$ZodIssue;

/** How badly a union branch missed: wrong shape at its root counts most. */
function miss(issues: Issue[]): number {
  return issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' || i.path.length === 0 ? 100 : 1), 0);
}

/**
 * A union's "Invalid input" names no field; report the issues of the branch that
 * came closest (e.g. a condition with `field` is judged as a field condition).
 */
function flatten(issues: Issue[], base: PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((i) => {
    const path = [...base, ...i.path];
    if (i.code === 'invalid_union' && i.errors.length > 0) {
      const best = [...i.errors].sort((a, b) => miss(a) - miss(b))[0]!;
      if (best.length > 0 && miss(best) < 100) return flatten(best, path);
    }
    return [{ path, message: i.message }];
  });
}

export function zodDetails(err: z.ZodError, prefix = ''): ErrorDetail[] {
  return flatten(err.issues).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
  }));
}

/** Parses `value` or throws a 400 naming each bad field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = zodDetails(r.error, prefix);
    throw new HttpError(400, 'validation_failed', `${details[0]?.path}: ${details[0]?.message}`, details);
  }
  return r.data;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const retryAfter = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    if (err instanceof DomainError) err = httpErrorOf(err);
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
      return;
    }
    // body-parser errors: malformed JSON, too large
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'request body is not valid JSON', details: [] } });
      return;
    }
    // Express decodes path parameters itself: a malformed escape (/u/%ZZ) is the caller's fault.
    if (err instanceof URIError) {
      res.status(400).json({
        error: {
          code: 'bad_path',
          message: 'the path has a malformed percent-escape',
          details: [{ path: 'path', message: 'malformed percent-escape' }],
        },
      });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'too_large', message: 'request body is too large', details: [] } });
      return;
    }
    // The database is saturated (no connection, or no transaction slot, in time):
    // a moment's overload, not a fault. The caller retries; nothing was stored.
    const code = (err as { code?: unknown }).code;
    if (code === 'P2024' || code === 'P2028') {
      log.warn({ code }, 'database busy; answered 503');
      res
        .set('Retry-After', '1')
        .status(503)
        .json({ error: { code: 'database_busy', message: 'the database is busy; retry after 1 s', details: [] } });
      return;
    }
    log.error({ err }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error', details: [] } });
  };
}
