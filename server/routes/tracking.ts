// Open pixel and click-through redirects. Tokens are signed and name the send;
// a click token carries the only URL it may redirect to, so there is no open
// redirect: a tampered, foreign or unknown token gets 404 and no redirect.
// Each open or click counts on the send and becomes an event on the contact
// (email_opened / email_clicked), which reaches waiting journeys.
import { Router, type Response } from 'express';
import { ingestEvent } from '../../events/ingest';
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

  /** Counts one open or click and stores it as an event; returns nothing if the send is unknown. */
  async function record(p: TokenPayload & { s: string }, kind: 'open' | 'click'): Promise<boolean> {
    const send = await deps.db.messageSend.findUnique({ where: { id: p.s }, select: { id: true, contactId: true } });
    if (!send || send.contactId !== p.c) return false;
    const at = new Date();
    const updated = await deps.db.messageSend.update({
      where: { id: send.id },
      data: kind === 'open' ? { opens: { increment: 1 } } : { clicks: { increment: 1 } },
      select: { opens: true, clicks: true, templateKey: true, journeyKey: true },
    });
    await deps.db.messageSend.updateMany({
      where: { id: send.id, ...(kind === 'open' ? { firstOpenedAt: null } : { firstClickedAt: null }) },
      data: kind === 'open' ? { firstOpenedAt: at } : { firstClickedAt: at },
    });
    const n = kind === 'open' ? updated.opens : updated.clicks;
    try {
      await ingestEvent(deps.db, 'tracking', {
        // Deterministic per send, kind and count: a replayed request is the next one.
        id: `${kind}:${send.id}:${n}`,
        type: kind === 'open' ? 'email_opened' : 'email_clicked',
        contact: { id: send.contactId },
        properties: {
          sendId: send.id,
          template: updated.templateKey,
          journey: updated.journeyKey,
          ...(kind === 'click' ? { url: p.u ?? null } : {}),
        },
        occurredAt: at.toISOString(),
      });
      deps.onEventsStored();
    } catch (err) {
      // The counter is kept; a missing event must not break the recipient's click.
      deps.log.warn({ err: (err as Error).message, sendId: send.id, kind }, 'tracking event not stored');
    }
    return true;
  }

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
