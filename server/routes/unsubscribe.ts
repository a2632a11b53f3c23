// Unsubscribe links: GET shows a small confirmation page, POST unsubscribes.
// The POST also serves RFC 8058 one-click unsubscribe from mail clients
// (body "List-Unsubscribe=One-Click"). Tokens are signed; effective at once.
import express, { Router } from 'express';
import type { Prisma } from '@prisma/client';
import { verifyToken } from '../../lib/tokens';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}` +
  `button{font-size:1rem;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function unsubscribeRouter(deps: ServerDeps): Router {
  const r = Router();

  function payload(token: string) {
    const p = verifyToken(deps.linkSecret, token);
    if (!p || p.p !== 'unsubscribe') throw new HttpError(400, 'invalid_token', 'this unsubscribe link is not valid');
    return p;
  }

  r.get('/u/:token', (req, res) => {
    const p = payload(req.params.token);
    const category = escape(p.cat ?? 'all');
    res.type('html').send(
      page('Unsubscribe', `<h1>Unsubscribe</h1><p>Stop receiving <strong>${category}</strong> email from us?</p>` +
        `<form method="post"><button type="submit">Unsubscribe</button></form>`),
    );
  });

  r.post('/u/:token', express.urlencoded({ extended: false }), async (req, res) => {
    const p = payload(req.params.token);
    const category = p.cat ?? '*';
    await deps.db.$transaction(async (tx) => {
      const c = await tx.contact.findUnique({ where: { id: p.c } });
      if (!c) return;
      const subs = { ...(c.subscriptions as Record<string, string>), [category]: 'unsubscribed' };
      await tx.contact.update({ where: { id: c.id }, data: { subscriptions: subs as Prisma.InputJsonObject, consentUpdatedAt: new Date() } });
      await tx.suppression.upsert({
        where: { email_category: { email: c.email, category } },
        create: { email: c.email, category, reason: 'unsubscribed', source: 'link' },
        update: {},
      });
    });
    res.type('html').send(page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will not get ${escape(p.cat ?? 'marketing')} email from us again.</p>`));
  });

  return r;
}
