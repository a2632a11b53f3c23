// Which methods each documented path serves, from the OpenAPI document's
// operations, so that a known path asked with another method answers 405 with
// `Allow` (RFC 9110) instead of 404, and TRACE/CONNECT are refused everywhere.
import type { RequestHandler } from 'express';
import { HttpError } from './errors';
import { paths } from './openapi/operations';

/** The order `Allow` lists them in. */
const METHODS = ['get', 'head', 'post', 'put', 'delete', 'patch', 'options', 'trace'] as const;
/** What TRACE/CONNECT on a path the document does not know are told. */
const ANY_PATH_ALLOW = 'GET, HEAD, POST, PUT, DELETE';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const routes = Object.entries(paths ?? {}).map(([template, item]) => {
  const op = item as Record<string, unknown>;
  // Express answers HEAD wherever it answers GET.
  const methods = METHODS.filter((m) => op[m] !== undefined || (m === 'head' && op.get !== undefined)).map((m) => m.toUpperCase());
  const pattern = template
    .split('/')
    .map((seg) => (/^\{[^}]+\}$/.test(seg) ? '[^/]+' : escape(seg)))
    .join('/');
  return { re: new RegExp(`^${pattern}/?$`), methods, params: (template.match(/\{/g) ?? []).length };
});

/**
 * The methods the document lists for a path, or null for a path it does not know. As in
 * OpenAPI, a template with fewer parameters wins (`/v1/contacts/imports` over `/v1/contacts/{ref}`).
 */
export function allowedMethods(path: string): string[] | null {
  const matches = routes.filter((r) => r.re.test(path));
  if (matches.length === 0) return null;
  const fewest = Math.min(...matches.map((r) => r.params));
  const found = new Set(matches.filter((r) => r.params === fewest).flatMap((r) => r.methods));
  return METHODS.map((m) => m.toUpperCase()).filter((m) => found.has(m));
}

/**
 * TRACE and CONNECT are never served (TRACE would echo headers back). OPTIONS on a
 * documented path is answered here from the document: Express's own answer would
 * list the methods of every route pattern the path happens to match (GET and PUT
 * of /v1/journeys/{key} for /v1/journeys/validate).
 */
export const refuseUnsupportedMethods: RequestHandler = (req, res, next) => {
  if (req.method === 'OPTIONS') {
    const allowed = allowedMethods(req.path);
    if (!allowed) return next();
    res.set('Allow', allowed.join(', ')).status(204).end();
    return;
  }
  if (req.method !== 'TRACE' && req.method !== 'CONNECT') return next();
  res.set('Allow', allowedMethods(req.path)?.join(', ') ?? ANY_PATH_ALLOW);
  next(new HttpError(405, 'method_not_allowed', `${req.method} is not supported`));
};

/** Last: no route matched. A documented path asked with another method is a 405, anything else a 404. */
export const notFound: RequestHandler = (req, res, next) => {
  const allowed = allowedMethods(req.path);
  if (allowed && !allowed.includes(req.method)) {
    res.set('Allow', allowed.join(', '));
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not supported on this path; use ${allowed.join(', ')}`));
    return;
  }
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};
