// Workspace sign-in: the session cookie, the CSRF header, and roles.
import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../../lib/db';
import type { Role } from '../../users/schema';
import { csrfMatches, sessionFromToken, type Session } from '../../users/service';
import { HttpError } from '../errors';

export const SESSION_COOKIE = 'rapport_session';
export const CSRF_HEADER = 'x-csrf-token';

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function setSessionCookie(req: Request, res: Response, token: string, expiresAt: Date): void {
  // HttpOnly: page scripts cannot read it. SameSite=Strict: other sites' pages never send it.
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
}

export function sessionOf(res: Response): Session {
  const s: unknown = res.locals.session;
  if (!s) throw new HttpError(401, 'unauthorized', 'sign in first');
  return s as Session;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every request needs a live session; every state-changing one also the CSRF
 * token of that session in X-CSRF-Token (a cross-site page can neither read it
 * nor set custom headers without CORS, which this server never grants).
 */
export function requireSession(db: Db): RequestHandler {
  return async (req, res, next) => {
    const token = readCookie(req, SESSION_COOKIE);
    const session = token ? await sessionFromToken(db, token) : null;
    if (!session) return next(new HttpError(401, 'unauthorized', 'sign in to the workspace first'));
    if (!SAFE.has(req.method) && !csrfMatches(session, req.get(CSRF_HEADER))) {
      return next(new HttpError(403, 'csrf_failed', `send the session's CSRF token in the ${CSRF_HEADER} header`));
    }
    res.locals.session = session;
    next();
  };
}

/** Requests that compute but change nothing, which viewers may make too. */
const READ_ONLY_POSTS = [
  /^\/v1\/journeys\/validate$/,
  /^\/v1\/journeys\/[^/]+\/simulate$/,
  /^\/v1\/templates\/[^/]+\/(validate|preview)$/,
  /^\/templates\/[^/]+\/draft-preview$/,
  /^\/segments\/preview$/,
];

/** Viewers read only: any other state-changing request needs marketer or admin. */
export const forbidViewerChanges: RequestHandler = (req, res, next) => {
  const s = sessionOf(res);
  if (s.user.role !== 'viewer' || SAFE.has(req.method)) return next();
  if (req.method === 'POST' && READ_ONLY_POSTS.some((p) => p.test(req.path))) return next();
  next(new HttpError(403, 'forbidden', 'viewers cannot change anything; ask an admin for the marketer role'));
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const s = sessionOf(res);
    if (!roles.includes(s.user.role)) return next(new HttpError(403, 'forbidden', `only ${roles.join(' or ')} may do this`));
    next();
  };
}
