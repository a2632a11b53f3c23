// Open pixel and click-through redirects. Tokens are signed and name the send;
// a click token carries the only URL it may redirect to, so there is no open
// redirect: a tampered, foreign or unknown token gets 404 and no redirect.
// Each open or click counts on the send and becomes an event on the contact
// (email_opened / email_clicked), which reaches waiting journeys.
import { Router, type Response } from 'express';
import { recordEngagement } from '../../events/use-cases/record-engagement';
import { verifyToken, type TokenPayload } from '../../lib/tokens';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';

// 1x1 transparent GIF
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store, no-cache, must-revalidate, private');
  res.set('Pragma', 'no-cache');
  res.set('Referrer-Policy', 'no-referrer');
}

export function trackingRouter(deps: ServerDeps): Router {
  const r = Router();

  function payload(token: string, purpose: 'open' | 'click'): TokenPayload & { s: string } {
    const p = verifyToken(deps.linkSecret, token);
    if (!p || p.p !== purpose || !p.s) throw new HttpError(404, 'not_found', 'unknown link');
    if (purpose === 'click') {
      let protocol = '';
      try {
        protocol = new URL(p.u ?? '').protocol;
      } catch {
        // not a URL
      }
      if (protocol !== 'https:' && protocol !== 'http:') throw new HttpError(404, 'not_found', 'unknown link');
    }
    return { ...p, s: p.s };
  }

  const uc = { db: deps.db, log: deps.log, onEventsStored: deps.onEventsStored };
  const record = (p: TokenPayload & { s: string }, kind: 'open' | 'click') =>
    recordEngagement(uc, { sendId: p.s, contactId: p.c, url: p.u }, kind);

  r.get('/t/o/:file', async (req, res) => {
    const token = req.params.file.replace(/\.gif$/, '');
    const p = payload(token, 'open');
    if (!(await record(p, 'open'))) throw new HttpError(404, 'not_found', 'unknown link');
    noStore(res);
    res.type('image/gif').send(PIXEL);
  });

  r.get('/t/c/:token', async (req, res) => {
    const p = payload(req.params.token, 'click');
    if (!(await record(p, 'click'))) throw new HttpError(404, 'not_found', 'unknown link');
    noStore(res);
    res.redirect(302, p.u!);
  });

  return r;
}
