// Email over real HTTP: the template API (save with validation, preview, test
// send), one-click unsubscribe and the preference page (no mail afterwards,
// across journeys and templates), double opt-in, the bounce/complaint
// webhook, and open/click tracking. Real server, worker, PostgreSQL and SMTP.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSendEmail } from '../../activities/send-email';
import { createMailer, type Mailer } from '../../email/transport';
import { createLogger } from '../../lib/logger';
import { signToken } from '../../lib/tokens';
import { TEST_LINK_SECRET } from '../support/env';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
let mailer: Mailer;
beforeAll(async () => {
  s = await startTestStack('email_http');
  await Promise.all([s.startServer(), s.startWorker()]);
  mailer = createMailer(s.sink.smtpUrl, 1);
});
afterAll(async () => {
  mailer?.close();
  await s?.close();
});

const pub = (path: string, init?: RequestInit) => fetch(`${s.server!.url}${path}`, { redirect: 'manual', ...init });
const path = (url: string) => new URL(url).pathname;
let step = 0;
/** Which checkboxes of the preference page are checked, by name. */
function checked(html: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const m of html.matchAll(/<input type="checkbox" name="(\w+)"[^>]*>/g)) out[m[1]!] = /\schecked/.test(m[0]);
  return out;
}
/** The send activity as a journey step of some other journey would call it. */
function sendAs(journeyKey: string, contactId: string, templateKey: string) {
  const send = createSendEmail({
    db: s.tdb.db,
    mailer,
    log: createLogger('t', 'silent'),
    mailFrom: 'Rapport <hello@rapport.test>',
    publicUrl: 'http://rapport.test',
    linkSecret: TEST_LINK_SECRET,
  });
  return send({ contactId, templateKey, journeyKey, workflowId: `journey/${journeyKey}/${contactId}`, stepId: `s${++step}` });
}
async function signUp(email: string) {
  const r = await s.api('/v1/events', { body: { id: `signup-${email}`, type: 'signed_up', contact: { email, firstName: 'Kim' } } });
  expect(r.status).toBe(202);
  const mail = await s.sink.waitFor((m) => m.envelopeTo.includes(email));
  return { contactId: r.body.contactId as string, mail };
}

describe('template API', () => {
  const good = {
    name: 'Spring offer',
    category: 'journeys',
    subject: 'Spring, {{firstNameOr "friend"}}',
    layout: 'default',
    from: 'Offers <offers@rapport.test>',
    mjml: '<mj-section>\n  <mj-column>\n    <mj-text>Hello {{contact.firstName}}, {{data.code}} saves 10%.</mj-text>\n  </mj-column>\n</mj-section>',
  };

  it('refuses an invalid template with each problem and its line', async () => {
    const r = await s.api('/v1/templates/spring', {
      method: 'PUT',
      body: {
        ...good,
        layout: undefined,
        subject: 'Hi {{contact.nmae}}',
        mjml: '<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-text>{{contact.nmae}}</mj-text>\n<mj-bogus />\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>',
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_template');
    expect(r.body.error.details).toEqual([
      { path: 'subject', line: 1, message: 'line 1: unknown variable "contact.nmae"' },
      { path: 'mjml', line: 5, message: 'line 5: unknown variable "contact.nmae"' },
      { path: 'mjml', line: 6, message: expect.stringMatching(/^line 6: MJML: .*mj-bogus/) },
      { path: 'mjml', line: 9, message: expect.stringMatching(/^line 9: a marketing email must link to \{\{unsubscribeUrl\}\}/) },
    ]);
    expect((await s.api('/v1/templates/spring')).status).toBe(404);
    const bad = await s.api('/v1/templates/spring', { method: 'PUT', body: { name: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['mjml', 'subject']);
  });

  it('saves immutable versions, lists, gets, previews and test-sends', async () => {
    const v1 = await s.api('/v1/templates/spring', { method: 'PUT', body: good });
    expect(v1.status).toBe(201);
    expect(v1.body.template).toMatchObject({ key: 'spring', version: 1, category: 'journeys', from: 'Offers <offers@rapport.test>' });
    expect(v1.body.template.mjml).toContain('<mj-body'); // stored assembled with its layout
    const same = await s.api('/v1/templates/spring', { method: 'PUT', body: good });
    expect(same).toMatchObject({ status: 200, body: { created: false, template: { version: 1 } } });
    const v2 = await s.api('/v1/templates/spring', {
      method: 'PUT',
      body: { ...good, subject: 'Spring is here, {{firstNameOr "friend"}}' },
    });
    expect(v2.body.template.version).toBe(2);
    expect((await s.api('/v1/templates/spring?version=1')).body.template.subject).toBe(good.subject);
    const list = await s.api('/v1/templates');
    expect(list.body.templates).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'spring', latestVersion: 2 }), expect.objectContaining({ key: 'welcome' })]),
    );

    const c = await s.api('/v1/contacts', { body: { email: 'preview@example.com', firstName: 'Pia', currency: 'EUR' } });
    const p = await s.api('/v1/templates/spring/preview', { body: { contactId: c.body.contact.id, data: { code: 'SPRING10' } } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ version: 2, subject: 'Spring is here, Pia', from: 'Offers <offers@rapport.test>' });
    expect(p.body.text).toContain('Hello Pia, SPRING10 saves 10%.');
    expect(p.body.html).toMatch(/^<!doctype html>/i);
    const sample = await s.api('/v1/templates/spring/preview', { body: {} });
    expect(sample.body.subject).toBe('Spring is here, Ada');

    const t = await s.api('/v1/templates/spring/test-send', {
      body: { to: 'marketer@example.com', contactId: c.body.contact.id, data: { code: 'X' } },
    });
    expect(t.status).toBe(202);
    const mail = await s.sink.waitFor((m) => m.envelopeTo.includes('marketer@example.com'));
    expect(mail.parsed.subject).toBe('[Test] Spring is here, Pia');
    expect(mail.parsed.from?.value[0]?.address).toBe('offers@rapport.test');
    expect((await s.api('/v1/templates/nope/preview', { body: {} })).status).toBe(404);
  });
});

describe('unsubscribe and preferences', () => {
  it('one click (RFC 8058) is effective at once: no marketing email in that category afterwards, from any journey or template', async () => {
    const { contactId, mail } = await signUp('oneclick@example.com');
    const head = mail.raw
      .toString()
      .split(/\r?\n\r?\n/)[0]!
      .replace(/\r?\n[ \t]+/g, ' ');
    const url = /^List-Unsubscribe: <([^>]+)>/m.exec(head)![1]!;
    const r = await pub(path(url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(r.status).toBe(200);
    const c = await s.tdb.db.contact.findUniqueOrThrow({ where: { id: contactId } });
    expect(c.subscriptions).toMatchObject({ journeys: 'unsubscribed' });
    expect(await s.tdb.db.suppression.findMany({ where: { email: 'oneclick@example.com' } })).toMatchObject([
      { category: 'journeys', reason: 'unsubscribed' },
    ]);
    // Other journeys, other templates in that category: suppressed. Receipts still go.
    expect(await sendAs('nurture', contactId, 'getting-started')).toMatchObject({
      outcome: 'suppressed',
      reason: 'unsubscribed from journeys',
    });
    expect(await sendAs('rewards', contactId, 'welcome')).toMatchObject({ outcome: 'suppressed' });
    expect(await sendAs('shop', contactId, 'newsletter-confirm')).toMatchObject({ outcome: 'sent' });
    await s.sink.waitFor((m) => m.envelopeTo.includes('oneclick@example.com') && /confirm/i.test(m.parsed.subject ?? ''));
    expect(s.sink.messages.filter((m) => m.envelopeTo.includes('oneclick@example.com')).map((m) => m.parsed.subject)).toEqual([
      'Welcome to Rapport, Kim!',
      'Please confirm your subscription, Kim',
    ]);
    expect((await pub(`/u/${url.split('/u/')[1]}x`, { method: 'POST' })).status).toBe(400);
  });

  it('the preference page lists categories and saves the choice', async () => {
    const c = await s.api('/v1/contacts', { body: { email: 'prefs@example.com', firstName: 'Pat' } });
    const id = c.body.contact.id as string;
    const token = signToken(TEST_LINK_SECRET, { p: 'preferences', c: id });
    const page = await pub(`/preferences/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="newsletter"');
    expect(html).toContain('name="journeys"');
    // Never opted in: the newsletter is not shown as chosen; journeys are (on by default).
    expect(checked(html)).toEqual({ newsletter: false, journeys: true, none: false });
    const saved = await pub(`/preferences/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'newsletter=on',
    });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toMatch(/The newsletter: sign up with your email address and confirm/);
    const after = await s.tdb.db.contact.findUniqueOrThrow({ where: { id } });
    // Ticking the box does not subscribe anyone to the newsletter: only the double opt-in does.
    expect(after.subscriptions).toMatchObject({ journeys: 'unsubscribed' });
    expect((after.subscriptions as Record<string, string>).newsletter).toBeUndefined();
    expect(await sendAs('any', id, 'welcome')).toMatchObject({ outcome: 'suppressed' });
    expect((await pub(`/preferences/${signToken('another-secret-0123456789', { p: 'preferences', c: id })}`)).status).toBe(400);
  });

  it('the newsletter box: checked only when subscribed; saving keeps or ends a subscription, never starts one', async () => {
    const save = (token: string, body: string) =>
      pub(`/preferences/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const subsOf = async (id: string) =>
      (await s.tdb.db.contact.findUniqueOrThrow({ where: { id } })).subscriptions as Record<string, string>;
    const make = async (email: string, subscriptions: Record<string, string>) => {
      const c = await s.tdb.db.contact.create({ data: { email, subscriptions } });
      return { id: c.id, token: signToken(TEST_LINK_SECRET, { p: 'preferences', c: c.id }) };
    };

    // Pending (unconfirmed double opt-in): unchecked; saving it checked leaves it pending.
    const pending = await make('prefs-pending@example.com', { newsletter: 'pending' });
    expect(checked(await (await pub(`/preferences/${pending.token}`)).text())).toMatchObject({ newsletter: false });
    expect((await save(pending.token, 'newsletter=on&journeys=on')).status).toBe(200);
    expect(await subsOf(pending.id)).toMatchObject({ newsletter: 'pending', journeys: 'subscribed' });

    // Unsubscribed earlier: checking the box does not bring it back.
    const left = await make('prefs-left@example.com', { newsletter: 'unsubscribed' });
    expect((await save(left.token, 'newsletter=on')).status).toBe(200);
    expect(await subsOf(left.id)).toMatchObject({ newsletter: 'unsubscribed' });

    // Subscribed: checked; kept when saved checked, ended when saved unchecked.
    const reader = await make('prefs-reader@example.com', { newsletter: 'subscribed' });
    expect(checked(await (await pub(`/preferences/${reader.token}`)).text())).toEqual({ newsletter: true, journeys: true, none: false });
    expect((await save(reader.token, 'newsletter=on&journeys=on')).status).toBe(200);
    expect(await subsOf(reader.id)).toMatchObject({ newsletter: 'subscribed', journeys: 'subscribed' });
    expect((await save(reader.token, 'journeys=on')).status).toBe(200);
    expect(await subsOf(reader.id)).toMatchObject({ newsletter: 'unsubscribed', journeys: 'subscribed' });
    expect(checked(await (await pub(`/preferences/${reader.token}`)).text())).toMatchObject({ newsletter: false, journeys: true });
  });
});

describe('double opt-in', () => {
  it('a sign-up gets a confirmation email; only the confirmed contact gets the newsletter', async () => {
    const r = await s.api('/v1/newsletter/subscriptions', { body: { email: 'optin@example.com', firstName: 'Olu', id: 'form-1' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'pending', confirmation: 'sent' });
    const again = await s.api('/v1/newsletter/subscriptions', { body: { email: 'optin@example.com', id: 'form-1' } });
    expect(again.body).toMatchObject({ status: 'pending', confirmation: 'sent', duplicate: true });
    const mail = await s.sink.waitFor((m) => m.envelopeTo.includes('optin@example.com'));
    expect(mail.parsed.subject).toBe('Please confirm your subscription, Olu');
    const contactId = r.body.contactId as string;
    expect(await sendAs('news', contactId, 'newsletter')).toMatchObject({ outcome: 'suppressed' });

    const link = /href="(http:\/\/rapport\.test\/confirm\/[^"]+)"/.exec(String(mail.parsed.html))![1]!;
    expect((await pub(path(link))).status).toBe(200); // a page with a button: scanners do not subscribe anyone
    expect((await s.tdb.db.contact.findUniqueOrThrow({ where: { id: contactId } })).subscriptions).toMatchObject({ newsletter: 'pending' });
    expect((await pub(path(link), { method: 'POST' })).status).toBe(200);
    expect((await s.tdb.db.contact.findUniqueOrThrow({ where: { id: contactId } })).subscriptions).toMatchObject({
      newsletter: 'subscribed',
    });
    expect(await s.tdb.db.event.count({ where: { contactId, type: 'newsletter_subscribed' } })).toBe(1);
    expect(await sendAs('news', contactId, 'newsletter')).toMatchObject({ outcome: 'sent' });
    expect(s.sink.messages.filter((m) => m.envelopeTo.includes('optin@example.com'))).toHaveLength(2);
    const done = await s.api('/v1/newsletter/subscriptions', { body: { email: 'optin@example.com', id: 'form-2' } });
    expect(done).toMatchObject({ status: 200, body: { status: 'subscribed' } });
  });
});

describe('newsletter sign-up without an id', () => {
  it('is idempotent per address and day, and its event key holds a hash of the address, not the address', async () => {
    const r = await s.api('/v1/newsletter/subscriptions', { body: { email: 'No.Id@Example.com' } });
    expect(r.status).toBe(202);
    const again = await s.api('/v1/newsletter/subscriptions', { body: { email: 'no.id@example.com' } });
    expect(again.body).toMatchObject({ status: 'pending', duplicate: true, contactId: r.body.contactId });
    const events = await s.tdb.db.event.findMany({
      where: { contactId: r.body.contactId as string, type: 'newsletter_subscribe_requested' },
    });
    expect(events).toHaveLength(1);
    const key = events[0]!.idempotencyKey;
    expect(key).toContain(`newsletter-signup:${createHash('sha256').update('no.id@example.com').digest('hex')}:`);
    expect(key).not.toMatch(/no\.id|example\.com|@/i);
    await s.sink.waitFor((m) => m.envelopeTo.includes('no.id@example.com'));
    expect(s.sink.messages.filter((m) => m.envelopeTo.includes('no.id@example.com'))).toHaveLength(1);
  });
});

describe('bounce and complaint webhook', () => {
  it('suppresses hard bounces and complaints; ignores soft bounces', async () => {
    const r = await s.webhook('shop', {
      events: [
        {
          id: 'b1',
          type: 'email_bounced',
          contact: { email: 'hard@example.com' },
          properties: { bounceType: 'hard', reason: '550 5.1.1' },
        },
        { id: 'b2', type: 'email_bounced', contact: { email: 'soft@example.com' }, properties: { bounceType: 'soft' } },
        { id: 'b3', type: 'email_complained', contact: { email: 'angry@example.com' } },
      ],
    });
    expect(r.status).toBe(202);
    const rows = await s.tdb.db.suppression.findMany({
      where: { email: { in: ['hard@example.com', 'soft@example.com', 'angry@example.com'] } },
      orderBy: { email: 'asc' },
    });
    expect(rows.map((x) => [x.email, x.category, x.reason])).toEqual([
      ['angry@example.com', '*', 'complaint'],
      ['hard@example.com', '*', 'hard_bounce'],
    ]);
    const angry = await s.tdb.db.contact.findUniqueOrThrow({ where: { email: 'angry@example.com' } });
    expect(await sendAs('news', angry.id, 'getting-started')).toMatchObject({ outcome: 'suppressed' });
  });
});

describe('tracking', () => {
  it('counts opens and clicks, stores them as events, and redirects only to the signed URL', async () => {
    const { contactId, mail } = await signUp('tracked@example.com');
    const html = String(mail.parsed.html);
    const pixel = /src="(http:\/\/rapport\.test\/t\/o\/[^"]+)"/.exec(html)![1]!;
    const click = /href="(http:\/\/rapport\.test\/t\/c\/[^"]+)"/.exec(html)![1]!;
    const send = await s.tdb.db.messageSend.findFirstOrThrow({ where: { contactId } });

    const o = await pub(path(pixel));
    expect(o.status).toBe(200);
    expect(o.headers.get('content-type')).toBe('image/gif');
    expect(o.headers.get('cache-control')).toMatch(/no-store/);
    await pub(path(pixel));
    const c = await pub(path(click));
    expect(c.status).toBe(302);
    expect(c.headers.get('location')).toBe('https://rapport.example/docs/getting-started');

    const row = await s.tdb.db.messageSend.findUniqueOrThrow({ where: { id: send.id } });
    expect(row).toMatchObject({ opens: 2, clicks: 1 });
    expect(row.firstOpenedAt).not.toBeNull();
    expect(row.firstClickedAt).not.toBeNull();
    const events = await s.tdb.db.event.findMany({ where: { contactId, source: 'tracking' }, orderBy: { receivedAt: 'asc' } });
    expect(events.map((e) => [e.type, e.idempotencyKey])).toEqual([
      ['email_opened', `tracking:open:${send.id}:1`],
      ['email_opened', `tracking:open:${send.id}:2`],
      ['email_clicked', `tracking:click:${send.id}:1`],
    ]);
    expect(events[2]!.properties).toEqual({
      sendId: send.id,
      template: 'welcome',
      journey: 'welcome',
      url: 'https://rapport.example/docs/getting-started',
    });
    // The events go through the outbox to the contact's journeys.
    await vi.waitFor(
      async () => expect(await s.tdb.db.event.count({ where: { contactId, source: 'tracking', dispatchedAt: null } })).toBe(0),
      { timeout: 10_000, interval: 50 },
    );
    const contact = await s.tdb.db.contact.findUniqueOrThrow({ where: { id: contactId } });
    expect(contact.lastClickAt).not.toBeNull();

    // Tampered, foreign or unknown: 404 and never a redirect.
    const token = path(click).split('/t/c/')[1]!;
    const [, sig] = token.split('.');
    const evil = Buffer.from(JSON.stringify({ p: 'click', c: contactId, s: send.id, u: 'https://evil.example/' })).toString('base64url');
    for (const bad of [
      `/t/c/${evil}.${sig}`,
      `/t/c/${token}x`,
      `/t/c/${signToken('another-secret-0123456789', { p: 'click', c: contactId, s: send.id, u: 'https://evil.example/' })}`,
      `/t/c/${signToken(TEST_LINK_SECRET, { p: 'click', c: contactId, s: '00000000-0000-4000-8000-000000000000', u: 'https://evil.example/' })}`,
      `/t/c/${signToken(TEST_LINK_SECRET, { p: 'open', c: contactId, s: send.id })}`,
      '/t/o/garbage.gif',
    ]) {
      const r = await pub(bad);
      expect(r.status, bad).toBe(404);
      expect(r.headers.get('location')).toBeNull();
    }
    expect((await s.tdb.db.messageSend.findUniqueOrThrow({ where: { id: send.id } })).clicks).toBe(1);
  });
});
