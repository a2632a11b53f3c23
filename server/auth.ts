// Bearer API-key authentication for /v1.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function requireApiKey(keys: string[]): RequestHandler {
  const allowed = keys.map(digest);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return next(new HttpError(401, 'unauthorized', 'send the API key as "Authorization: Bearer <key>"'));
    const got = digest(m[1]!.trim());
    // Compare digests (equal length) so the comparison time does not leak the key.
    if (!allowed.some((k) => timingSafeEqual(k, got))) return next(new HttpError(401, 'unauthorized', 'unknown API key'));
    next();
  };
}
