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
import { confirmSubscription } from '../../events/use-cases/confirm-subscription';
import { preferencesOf } from '../../email/use-cases/preferences-of';
import { savePreferences } from '../../email/use-cases/save-preferences';
import { unsubscribeByLink } from '../../email/use-cases/unsubscribe-by-link';
import { CATEGORY_LABELS, MARKETING_CATEGORIES } from '../../email/suppression';
import { verifyToken, type TokenPayload } from '../../lib/tokens';
import type { ServerDeps } from '../context';
import { HttpError } from '../errors';
import { escapeHtml as escape, htmlPage as page } from '../../lib/html';

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
    res
      .type('html')
      .send(
        page(
          'Unsubscribe',
          `<h1>Unsubscribe</h1><p>Stop receiving <strong>${category}</strong> email from us?</p>` +
            `<form method="post"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
  });

  r.post('/u/:token', form, async (req, res) => {
    const p = payload(req.params.token, 'unsubscribe', 'unsubscribe');
    await unsubscribeByLink(deps, p.c, p.cat ?? '*');
    res
      .type('html')
      .send(
        page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will not get ${escape(p.cat ?? 'marketing')} email from us again.</p>`),
      );
  });

  // ------------------------------------------------------------ preferences
  r.get('/preferences/:token', async (req, res) => {
    const p = payload(req.params.token, 'preferences', 'preferences');
    const prefs = await preferencesOf(deps.db, p.c);
    const all = prefs.none;
    const boxes = MARKETING_CATEGORIES.map((cat) => {
      const on = prefs.receives[cat] === true;
      return `<label><input type="checkbox" name="${cat}" value="on"${on ? ' checked' : ''}> ${escape(CATEGORY_LABELS[cat] ?? cat)}</label>`;
    }).join('');
    res
      .type('html')
      .send(
        page(
          'Email preferences',
          `<h1>Email preferences</h1><p>What would you like to get from us?</p>` +
            `<form method="post">${boxes}<label><input type="checkbox" disabled checked> ${escape(CATEGORY_LABELS.transactional!)}</label>` +
            `<label><input type="checkbox" name="none" value="on"${all ? ' checked' : ''}> No marketing email at all</label>` +
            `<button type="submit">Save</button></form>`,
        ),
      );
  });

  r.post('/preferences/:token', form, async (req, res) => {
    const p = payload(req.params.token, 'preferences', 'preferences');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const saved = await savePreferences(deps, p.c, {
      none: body.none === 'on',
      wanted: new Set(MARKETING_CATEGORIES.filter((cat) => body[cat] === 'on')),
    });
    const chosen = saved.chosen.map((cat) => escape(CATEGORY_LABELS[cat] ?? cat));
    const optIn = saved.needsOptIn.length
      ? `<p>${saved.needsOptIn.map((cat) => escape(CATEGORY_LABELS[cat] ?? cat)).join('; ')}: sign up with your email address and confirm the link we send you.</p>`
      : '';
    res
      .type('html')
      .send(
        page(
          'Preferences saved',
          `<h1>Saved</h1><p>${chosen.length ? `You will get: ${chosen.join('; ')}.` : 'You will get no marketing email from us.'}</p>${optIn}`,
        ),
      );
  });

  // -------------------------------------------------------- double opt-in
  r.get('/confirm/:token', (req, res) => {
    payload(req.params.token, 'confirm', 'confirmation');
    res
      .type('html')
      .send(
        page(
          'Confirm your subscription',
          `<h1>One more click</h1><p>Confirm that you want the newsletter.</p>` +
            `<form method="post"><button type="submit">Yes, subscribe me</button></form>`,
        ),
      );
  });

  r.post('/confirm/:token', form, async (req, res) => {
    const p = payload(req.params.token, 'confirm', 'confirmation');
    await confirmSubscription(deps, { contactId: p.c, category: p.cat ?? 'newsletter', expires: p.exp ?? 0 });
    res
      .type('html')
      .send(
        page(
          'Subscribed',
          `<h1>You are subscribed</h1><p>Thank you. You can change this at any time with the link at the bottom of every email.</p>`,
        ),
      );
  });

  return r;
}
