// Consent links, all signed (lib/tokens.ts) and effective at once:
// - /u/:token            GET: a one-button page; POST: unsubscribe from the
//                        email's category. The POST also serves RFC 8058
//                        one-click unsubscribe from mail clients (body
//                        "List-Unsubscribe=One-Click").
// - /preferences/:token  GET: every category with a checkbox; POST: save.
// - /confirm/:token      GET: a one-button page; POST: confirm a newsletter
//                        sign-up (double opt-in). Confirming takes a POST so
//                        that mail scanners that open links do not subscribe
//                        anyone. Tokens expire after 7 days.
import express, { Router } from 'express';
import { ingestEvent } from '../../events/ingest';
import { verifyToken, type TokenPayload } from '../../lib/tokens';
import { CATEGORY_LABELS, MARKETING_CATEGORIES, setSubscriptions, type SubscriptionState } from '../../email/suppression';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';
import { escapeHtml as escape, htmlPage as page } from '../../lib/html';



function subscriptionsOf(v: unknown): Record<string, string> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
}

/**
 * Categories that take an explicit, confirmed opt-in: shown as chosen only when
 * subscribed, and the preference page never subscribes anyone to them (only the
 * double opt-in confirmation does).
 */
const OPT_IN_CATEGORIES: ReadonlySet<string> = new Set(['newsletter']);

/** Whether the contact gets `category` now, as the preference page shows it. */
function receives(subs: Record<string, string>, category: string): boolean {
  if (subs['*'] === 'unsubscribed') return false;
  const state = subs[category];
  if (OPT_IN_CATEGORIES.has(category)) return state === 'subscribed';
  // Other marketing categories are on until the contact says otherwise.
  return state === undefined || state === 'subscribed';
}

export function unsubscribeRouter(deps: ServerDeps): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  function payload(token: string, purpose: TokenPayload['p'], what: string): TokenPayload {
    const p = verifyToken(deps.linkSecret, token);
    if (!p || p.p !== purpose) throw new HttpError(400, 'invalid_token', `this ${what} link is not valid (or has expired)`);
    return p;
  }

  // ------------------------------------------------------------ unsubscribe
  r.get('/u/:token', (req, res) => {
    const p = payload(req.params.token, 'unsubscribe', 'unsubscribe');
    const category = escape(p.cat ?? 'all');
    res.type('html').send(
      page('Unsubscribe', `<h1>Unsubscribe</h1><p>Stop receiving <strong>${category}</strong> email from us?</p>` +
        `<form method="post"><button type="submit">Unsubscribe</button></form>`),
    );
  });

  r.post('/u/:token', form, async (req, res) => {
    const p = payload(req.params.token, 'unsubscribe', 'unsubscribe');
    const category = p.cat ?? '*';
    await deps.db.$transaction((tx) => setSubscriptions(tx, p.c, { [category]: 'unsubscribed' }, 'link'));
    deps.log.info({ contactId: p.c, category }, 'unsubscribed');
    res.type('html').send(page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will not get ${escape(p.cat ?? 'marketing')} email from us again.</p>`));
  });

  // ------------------------------------------------------------ preferences
  r.get('/preferences/:token', async (req, res) => {
    const p = payload(req.params.token, 'preferences', 'preferences');
    const c = await deps.db.contact.findUnique({ where: { id: p.c } });
    if (!c || c.deletedAt) throw new HttpError(404, 'not_found', 'we have no email preferences for you');
    const subs = subscriptionsOf(c.subscriptions);
    const all = subs['*'] === 'unsubscribed';
    const boxes = MARKETING_CATEGORIES.map((cat) => {
      const on = receives(subs, cat);
      return `<label><input type="checkbox" name="${cat}" value="on"${on ? ' checked' : ''}> ${escape(CATEGORY_LABELS[cat] ?? cat)}</label>`;
    }).join('');
    res.type('html').send(
      page('Email preferences', `<h1>Email preferences</h1><p>What would you like to get from us?</p>` +
        `<form method="post">${boxes}<label><input type="checkbox" disabled checked> ${escape(CATEGORY_LABELS.transactional!)}</label>` +
        `<label><input type="checkbox" name="none" value="on"${all ? ' checked' : ''}> No marketing email at all</label>` +
        `<button type="submit">Save</button></form>`),
    );
  });

  r.post('/preferences/:token', form, async (req, res) => {
    const p = payload(req.params.token, 'preferences', 'preferences');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const none = body.none === 'on';
    const saved = await deps.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM contacts WHERE id = ${p.c}::uuid FOR UPDATE`;
      const before = await tx.contact.findUnique({ where: { id: p.c }, select: { subscriptions: true } });
      if (!before) return null;
      const subs = subscriptionsOf(before.subscriptions);
      const changes: Record<string, SubscriptionState> = {};
      const needsOptIn: string[] = [];
      for (const cat of MARKETING_CATEGORIES) {
        const wanted = !none && body[cat] === 'on';
        if (!wanted) changes[cat] = 'unsubscribed';
        // A checkbox never subscribes anyone to an opt-in category: it keeps a
        // confirmed subscription, and leaves any other state as it is.
        else if (!OPT_IN_CATEGORIES.has(cat)) changes[cat] = 'subscribed';
        else if (subs[cat] !== 'subscribed') needsOptIn.push(cat);
      }
      changes['*'] = none ? 'unsubscribed' : 'subscribed';
      const c = await setSubscriptions(tx, p.c, changes, 'preferences');
      return c ? { changes, needsOptIn, subs: subscriptionsOf(c.subscriptions) } : null;
    });
    if (!saved) throw new HttpError(404, 'not_found', 'we have no email preferences for you');
    deps.log.info({ contactId: p.c, changes: saved.changes }, 'preferences saved');
    const chosen = MARKETING_CATEGORIES.filter((cat) => receives(saved.subs, cat)).map((cat) => escape(CATEGORY_LABELS[cat] ?? cat));
    const optIn = saved.needsOptIn.length
      ? `<p>${saved.needsOptIn.map((cat) => escape(CATEGORY_LABELS[cat] ?? cat)).join('; ')}: sign up with your email address and confirm the link we send you.</p>`
      : '';
    res.type('html').send(page('Preferences saved', `<h1>Saved</h1><p>${chosen.length ? `You will get: ${chosen.join('; ')}.` : 'You will get no marketing email from us.'}</p>${optIn}`));
  });

  // -------------------------------------------------------- double opt-in
  r.get('/confirm/:token', (req, res) => {
    payload(req.params.token, 'confirm', 'confirmation');
    res.type('html').send(
      page('Confirm your subscription', `<h1>One more click</h1><p>Confirm that you want the newsletter.</p>` +
        `<form method="post"><button type="submit">Yes, subscribe me</button></form>`),
    );
  });

  r.post('/confirm/:token', form, async (req, res) => {
    const p = payload(req.params.token, 'confirm', 'confirmation');
    const category = p.cat ?? 'newsletter';
    const c = await deps.db.$transaction((tx) => setSubscriptions(tx, p.c, { [category]: 'subscribed' }, 'double_opt_in'));
    if (!c) throw new HttpError(404, 'not_found', 'this subscription no longer exists');
    // An event, so journeys can greet new subscribers; one per confirmation link.
    await ingestEvent(deps.db, 'consent', { id: `confirmed:${category}:${c.id}:${p.exp ?? 0}`, type: `${category}_subscribed`, contact: { id: c.id }, properties: { category } });
    deps.onEventsStored();
    res.type('html').send(page('Subscribed', `<h1>You are subscribed</h1><p>Thank you. You can change this at any time with the link at the bottom of every email.</p>`));
  });

  return r;
}
