// The marketer's workspace: its API (/dashboard/api) and the single-page app
// built from web/ into web/dist (by `node scripts/setup.mjs`), served under /.
//
// Mounted as one handler after every other route, so /v1, /u/..., /a/...,
// /preferences, /confirm, /t/..., /health and /openapi.yaml answer first.
// The workspace API is private to the browser app and is not part of the
// public OpenAPI document (README, "Workspace" lists it).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import type { ServerDeps } from '../context';
import { dashboardApi } from './api';

export const WEB_DIST = resolve(import.meta.dirname, '../../web/dist');

/** Paths the app never answers with its page, whatever the method. */
const NOT_THE_APP = /^\/(v1|dashboard\/api|webhooks|u|a|t|preferences|confirm|health|openapi\.yaml)(\/|$)/;

export function workspace(deps: ServerDeps, dist = WEB_DIST): RequestHandler {
  const r = Router();
  r.use('/dashboard/api', dashboardApi(deps));
  // Hashed asset names: cache for a year; index.html: always revalidate.
  r.use('/assets', express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  r.use(express.static(dist, { index: false }));
  const page: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_THE_APP.test(req.path)) return next();
    // Only page loads get the page; API clients asking for an unknown path get the JSON 404.
    if (!(req.get('accept') ?? '').includes('text/html')) return next();
    const index = join(dist, 'index.html');
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The workspace is not built. Run `node scripts/setup.mjs start` (or `npm start`).\n');
      return;
    }
    // The page holds no data: everything it shows comes from /dashboard/api, which needs a session.
    res.set('cache-control', 'no-cache');
    res.set(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    res.set('x-content-type-options', 'nosniff');
    res.sendFile(index);
  };
  r.use(page);
  // One plain handler: the public OpenAPI document (and its test) covers the public API only.
  return (req, res, next) => r(req, res, next);
}
