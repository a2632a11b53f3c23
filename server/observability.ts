// What every request leaves behind: a request id (X-Request-Id, echoed), one
// access log line, a latency observation by route pattern, and, for the
// endpoints that take events, an accepted or refused count. Plus GET /metrics.
// Route patterns, never raw URLs: paths hold link tokens and email addresses.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { errorFields, type Logger } from '../lib/logger';
import type { Db } from '../lib/db';
import {
  backlogSource,
  broadcastProgress,
  eventsAccepted,
  eventsRefused,
  httpRequestDuration,
  metricsText,
  type BacklogReading,
  type BroadcastReading,
} from '../lib/metrics';

/** An incoming X-Request-Id is kept when it looks like an id (no spaces, no `@`, at most 128 characters). */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:=+-]{1,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && SANE_REQUEST_ID.test(v) ? v : randomUUID();
}

const ROUTE = Symbol('route pattern');
type Tagged = { [ROUTE]?: string };

/**
 * The pattern of the route that handled the request: the mount path as it was
 * when the route matched (Express restores `baseUrl` before error handlers
 * run, so it is captured then) plus the route's path. `(static)` for the web
 * app's files and pages, `(unmatched)` for what no route took.
 */
export function routePattern(req: IncomingMessage, res: ServerResponse): string {
  const route = (req as Tagged)[ROUTE];
  if (route !== undefined) return route;
  return res.statusCode < 400 ? '(static)' : '(unmatched)';
}

/** Probes and scrapes log at debug: they come every few seconds and say nothing about traffic. */
const QUIET_ROUTES = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

const EVENT_ROUTES: Record<string, string> = { 'POST /v1/events': 'api', 'POST /webhooks/:source': 'webhook' };

function refusalReason(status: number): string | null {
  if (status < 300) return null;
  if (status === 207) return 'partial';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'overloaded';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'error';
  return 'invalid';
}

function countEvent(req: Request, res: Response, route: string): void {
  const endpoint = EVENT_ROUTES[`${req.method} ${route}`];
  if (!endpoint) return;
  const reason = refusalReason(res.statusCode);
  if (reason === null) {
    const body: unknown = req.body;
    const batch =
      body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && Array.isArray((body as { events?: unknown }).events)
        ? (body as { events: unknown[] }).events.length
        : 1;
    eventsAccepted.inc({ endpoint }, batch);
  } else eventsRefused.inc({ endpoint, reason });
}

export function requestObservability(log: Logger): RequestHandler[] {
  const capture: RequestHandler = (req, res, next) => {
    // Express sets req.route when a route matches; take the pattern at that moment.
    let route: unknown;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set(v: { path?: unknown } | undefined) {
        route = v;
        if (v && typeof v.path === 'string') (req as Tagged)[ROUTE] = `${req.baseUrl ?? ''}${v.path}`;
      },
    });
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const pattern = routePattern(req, res);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      httpRequestDuration.observe({ method: req.method, route: pattern, status: String(res.statusCode) }, seconds);
      countEvent(req, res, pattern);
    });
    next();
  };
  const access = pinoHttp({
    logger: log,
    genReqId(req, res) {
      const id = requestIdOf(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // The child logger carries only the id: no headers, no URL, no query string.
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : QUIET_ROUTES.has(routePattern(req, res)) ? 'debug' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, val: { responseTime: number }) => accessFields(req, res, val.responseTime),
    customErrorObject: (req, res, err, val: { responseTime: number }) => ({
      ...accessFields(req, res, val.responseTime),
      ...errorFields(err),
    }),
  });
  return [capture, access];
}

/** The fields of an access log line. */
export function accessFields(req: IncomingMessage, res: ServerResponse, ms: number) {
  return { method: req.method, route: routePattern(req, res), status: res.statusCode, ms };
}

/** GET /metrics in Prometheus' text format; with a token set, only for `Authorization: Bearer <token>`. */
export function metricsHandler(token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return (req: Request, res: Response, next: NextFunction) => {
    if (expected) {
      const got = Buffer.from(req.get('authorization') ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer')
          .json({
            error: {
              code: 'unauthorized',
              message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
              details: [{ path: 'header.authorization', message: 'missing or wrong' }],
            },
          });
        return;
      }
    }
    metricsText().then((text) => res.type('text/plain; version=0.0.4; charset=utf-8').set('Cache-Control', 'no-store').send(text), next);
  };
}

/**
 * The gauges read at scrape time from PostgreSQL: the dispatch backlog (one
 * query on the undispatched index) and the recipients of active broadcasts.
 * A scrape within a second of the last reuses its reading. Returns the removal.
 */
export function registerScrapeSources(db: Db): () => void {
  const memo = <T>(read: () => Promise<T>) => {
    let last: { at: number; value: Promise<T> } | null = null;
    return () => {
      if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), value: read() };
      return last.value;
    };
  };
  const backlog = memo(async (): Promise<BacklogReading> => {
    const [row] = await db.$queryRaw<{ n: bigint; age: number | null }[]>`
      SELECT count(*) AS n, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS age FROM events WHERE dispatched_at IS NULL`;
    return { undispatched: Number(row?.n ?? 0), oldestAgeSeconds: Math.max(0, row?.age ?? 0) };
  });
  const broadcasts = memo(async (): Promise<BroadcastReading[]> => {
    const rows = await db.$queryRaw<{ id: string; status: string; n: bigint }[]>`
      SELECT r.broadcast_id::text AS id, r.status, count(*) AS n FROM broadcast_recipients r
      JOIN broadcasts b ON b.id = r.broadcast_id WHERE b.status IN ('sending', 'paused') GROUP BY 1, 2`;
    return rows.map((r) => ({ broadcastId: r.id, status: r.status, count: Number(r.n) }));
  });
  const removals = [backlogSource.count.add(backlog), backlogSource.age.add(backlog), broadcastProgress.add(broadcasts)];
  return () => removals.forEach((r) => r());
}
