// The workspace's API under /dashboard/api, for the browser app only: session
// cookie + CSRF header instead of API keys. /dashboard/api/v1/* is the public
// /v1 API itself (the same routers and use cases), answered for a signed-in user.
import express, { Router } from 'express';
import { z } from 'zod';
import { searchContacts, unsubscribeFromMarketing } from '../../contacts/workspace';
import { segmentKeySchema } from '../../segments/service';
import { segmentFilter } from '../../segments/use-cases/segment-filter';
import { journeyStats, listJourneys, publishPreview, waitingAt } from '../../journeys/insights';
import { createAttemptLimiter } from '../../users/rate-limit';
import { loginSchema, newUserSchema, passwordSchema, roleSchema } from '../../users/schema';
import { createUser, listUsers, login, logout, removeUser, resetPassword, setRole, UserError } from '../../users/service';
import { statusQuery } from '../../shared/signals';
import type { ServerDeps } from '../context';
import { HttpError, parseOr400 } from '../errors';
import { approvalsRouter } from '../routes/approvals';
import { contactExportRouter } from '../routes/contact-export';
import { contactImportsRouter } from '../routes/contact-imports';
import { tasksRouter } from '../routes/tasks';
import { workspaceExtras } from './extras';
import { contactsRouter } from '../routes/contacts';
import { journeysRouter } from '../routes/journeys';
import { newslettersRouter } from '../routes/newsletters';
import { segmentsRouter } from '../routes/segments';
import { templatesRouter } from '../routes/templates';
import {
  clearSessionCookie,
  forbidViewerChanges,
  readCookie,
  requireRole,
  requireSession,
  SESSION_COOKIE,
  sessionOf,
  setSessionCookie,
} from './session';

/** Wrong passwords from one address: at most this many per window (per server process). */
export const IP_MAX_FAILURES = 20;
export const IP_WINDOW_MS = 15 * 60 * 1000;

const keyParam = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be a journey key');

function userError(err: unknown): never {
  if (err instanceof UserError) {
    const status = err.code === 'user_not_found' ? 404 : err.code === 'invalid' ? 400 : 409;
    throw new HttpError(status, err.code, err.message, err.field ? [{ path: err.field, message: err.message }] : []);
  }
  throw err;
}

export function dashboardApi(deps: ServerDeps): Router {
  const { db } = deps;
  const r = Router();
  const ipLimiter = createAttemptLimiter({ max: IP_MAX_FAILURES, windowMs: IP_WINDOW_MS });
  r.use(express.json({ limit: '2mb' }));

  // ---- signing in and out ----------------------------------------------------
  r.post('/session', async (req, res) => {
    // Login CSRF: a JSON body (a cross-site form cannot send one) from our own origin.
    const origin = req.get('origin');
    if (origin && new URL(origin).host !== req.get('host')) throw new HttpError(403, 'csrf_failed', 'sign in from the workspace page');
    const ip = req.ip ?? 'unknown';
    const wait = ipLimiter.retryAfter(ip);
    if (wait > 0) {
      res.set('retry-after', String(wait));
      throw new HttpError(429, 'too_many_attempts', `too many wrong passwords from this address; try again in ${wait} s`);
    }
    const body = parseOr400(loginSchema, req.body);
    const out = await login(db, body.email, body.password);
    if (!out.ok) {
      if (out.reason === 'locked') {
        res.set('retry-after', String(out.retryAfterSeconds));
        throw new HttpError(
          429,
          'account_locked',
          `too many wrong passwords for this account; try again in ${out.retryAfterSeconds} s, or ask an admin to reset it`,
        );
      }
      ipLimiter.failed(ip);
      throw new HttpError(401, 'invalid_login', 'wrong email or password', [{ path: 'password', message: 'wrong email or password' }]);
    }
    setSessionCookie(req, res, out.token, out.session.expiresAt);
    res.status(201).json({ user: out.session.user, csrfToken: out.session.csrfToken });
  });

  r.use(requireSession(db));

  r.get('/session', (_req, res) => {
    const s = sessionOf(res);
    res.json({ user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt });
  });

  r.delete('/session', async (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) await logout(db, token);
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  r.use(forbidViewerChanges);

  // ---- accounts (admin only) ---------------------------------------------------
  const admin = requireRole('admin');
  r.get('/users', admin, async (_req, res) => {
    res.json({ users: await listUsers(db) });
  });
  r.post('/users', admin, async (req, res) => {
    const body = parseOr400(newUserSchema, req.body);
    const out = await createUser(db, body).catch(userError);
    res.status(201).json(out);
  });
  r.delete('/users/:id', admin, async (req, res) => {
    const id = parseOr400(z.uuid(), req.params.id, 'id');
    if (id === sessionOf(res).user.id) throw new HttpError(409, 'self', 'you cannot remove your own account');
    await removeUser(db, id).catch(userError);
    res.status(204).end();
  });
  r.post('/users/:id/password', admin, async (req, res) => {
    const id = parseOr400(z.uuid(), req.params.id, 'id');
    const body = parseOr400(z.strictObject({ password: passwordSchema.optional() }), req.body ?? {});
    res.json(await resetPassword(db, id, body.password).catch(userError));
  });
  r.post('/users/:id/role', admin, async (req, res) => {
    const id = parseOr400(z.uuid(), req.params.id, 'id');
    const body = parseOr400(z.strictObject({ role: roleSchema }), req.body);
    res.json({ user: await setRole(db, id, body.role).catch(userError) });
  });

  // ---- journeys: figures the public API does not have ----------------------------
  r.get('/journeys', async (_req, res) => {
    res.json({ journeys: await listJourneys(db) });
  });
  r.get('/journeys/:key/stats', async (req, res) => {
    res.json(await journeyStats(db, parseOr400(keyParam, req.params.key, 'key')));
  });
  r.get('/journeys/:key/steps/:step/contacts', async (req, res) => {
    const key = parseOr400(keyParam, req.params.key, 'key');
    const step = parseOr400(keyParam, req.params.step, 'step');
    const temporal = deps.temporal;
    const wakeOf = temporal
      ? async (workflowId: string) => {
          // A slow or stuck workflow must not hold the page: 2 s, then "unknown".
          const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000).unref());
          const s = await Promise.race([temporal.workflow.getHandle(workflowId).query(statusQuery), timeout]);
          return s?.nextWakeAt ?? null;
        }
      : undefined;
    res.json(await waitingAt({ db, wakeOf }, key, step));
  });
  r.get('/journeys/:key/publish-preview', async (req, res) => {
    const p = await publishPreview(db, parseOr400(keyParam, req.params.key, 'key'));
    if (!p) throw new HttpError(404, 'journey_not_found', `no journey "${req.params.key}"`);
    res.json(p);
  });

  // ---- contacts: search and unsubscribe (profile, timeline, erase: /v1) ---------------
  r.get('/contacts', async (req, res) => {
    const q = parseOr400(z.string().max(200).default(''), req.query.q, 'query.q');
    const segment = parseOr400(segmentKeySchema.optional(), req.query.segment, 'query.segment');
    res.json(await searchContacts(db, q, { within: segment ? await segmentFilter(db, segment) : undefined }));
  });
  r.post('/contacts/:id/unsubscribe', async (req, res) => {
    const id = parseOr400(z.uuid(), req.params.id, 'id');
    if (!(await unsubscribeFromMarketing(db, id, sessionOf(res).user.id))) throw new HttpError(404, 'contact_not_found', 'no such contact');
    res.json({ contactId: id, unsubscribed: true });
  });

  // ---- the public API, for the signed-in user -----------------------------------
  r.use(workspaceExtras(deps));
  r.use(
    '/v1',
    // As in server/app.ts: /contacts/imports and /contacts/{ref}/export before the contact routes.
    contactImportsRouter(deps),
    contactExportRouter(deps),
    contactsRouter(deps),
    tasksRouter(deps),
    journeysRouter(deps),
    approvalsRouter(deps),
    templatesRouter(deps),
    segmentsRouter(deps),
    newslettersRouter(deps),
  );
  return r;
}
