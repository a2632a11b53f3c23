// Delivery against real SMTP servers and real PostgreSQL: exactly once (even
// when the worker dies between SMTP and bookkeeping), deterministic
// Message-IDs, headers, per-template sender, SMTP 4xx/5xx handling, hard
// bounces and the suppression list at send time.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendEmail, messageIdFor, type SendEmailInput } from '../../activities/send-email';
import { seedShippedContent } from '../../db/seed';
import { createMailer, type Mailer } from '../../email/transport';
import type { Db } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { verifyToken } from '../../lib/tokens';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { ROOT } from '../../stack/tools';
import { freshDatabase, type TestDb } from '../support/db';
import { TEST_LINK_SECRET } from '../support/env';

const run = promisify(execFile);
const FROM = 'Rapport <hello@rapport.test>';

/** An SMTP server that refuses some recipients the way real ones do. */
async function startPickySmtp() {
  let busy = 0;
  const received: string[] = [];
  const fail = (code: number, msg: string) => Object.assign(new Error(msg), { responseCode: code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('nouser')) return cb(fail(550, '5.1.1 <nouser>: no such user here'));
      if (address.address.startsWith('busy') && busy++ === 0) return cb(fail(451, `4.3.2 <${address.address}> try again later`));
      // Real servers often quote the address they refuse.
      if (address.address.startsWith('gone')) return cb(fail(550, `5.1.1 <${address.address}>: mailbox unavailable`));
      cb();
    },
    onData(stream, session, cb) {
      stream.on('data', () => {});
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.some((a) => a.startsWith('spam'))) return cb(fail(554, '5.7.1 message rejected as spam'));
        received.push(...to);
        cb(null, 'queued');
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}?tls=off`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let tdb: TestDb;
let sink: MailSink;
let mailer: Mailer;
let picky: Awaited<ReturnType<typeof startPickySmtp>>;
let pickyMailer: Mailer;
const log = createLogger('test', 'silent');
const deps = (m: Mailer) => ({
  db: tdb.db,
  mailer: m,
  log,
  mailFrom: FROM,
  publicUrl: 'http://rapport.test',
  linkSecret: TEST_LINK_SECRET,
});

beforeAll(async () => {
  tdb = await freshDatabase('email_delivery');
  await seedShippedContent(tdb.db);
  [sink, picky] = await Promise.all([startMailSink({ smtpPort: 0 }), startPickySmtp()]);
  mailer = createMailer(sink.smtpUrl, 2);
  pickyMailer = createMailer(picky.url, 1);
});
afterAll(async () => {
  mailer?.close();
  pickyMailer?.close();
  await sink?.close();
  await picky?.close();
  await tdb?.close();
});

let n = 0;
async function contact(email: string, data: Record<string, unknown> = {}) {
  return tdb.db.contact.create({ data: { email, firstName: 'Test', ...data } });
}
function input(contactId: string, templateKey: string, extra: Partial<SendEmailInput> = {}): SendEmailInput {
  n++;
  return { contactId, templateKey, workflowId: `journey/test/${contactId}`, stepId: `step_${n}`, journeyKey: 'test', ...extra };
}
/** A header as sent (unfolded), from the raw message. */
function rawHeader(raw: Buffer, name: string): string | undefined {
  const head = raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  return head
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
}
const to = (addr: string) => sink.messages.filter((m) => m.envelopeTo.includes(addr));

/** The database, except that `event.findMany` fails the next `failures.left` times (a connection blip). */
function flakyDb(db: Db, failures: { left: number }): Db {
  const pass = <T extends object>(target: T, prop: string | symbol): unknown => {
    const v: unknown = Reflect.get(target, prop);
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  };
  // The first raw query of a send is the read of purchases and interests (before the claim).
  const failing = async () => {
    failures.left--;
    throw new Error('Connection terminated unexpectedly');
  };
  return new Proxy(db, { get: (target, prop) => (prop === '$queryRaw' && failures.left > 0 ? failing : pass(target, prop)) });
}

/** A logger that keeps every line it writes. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

describe('exactly once', () => {
  it('sends once per (workflow, step) however often the activity runs, with a deterministic Message-ID', async () => {
    const c = await contact('once@example.com');
    const send = createSendEmail(deps(mailer));
    const i = input(c.id, 'welcome');
    const first = await send(i);
    const again = await send(i);
    expect(first.outcome).toBe('sent');
    expect(again).toMatchObject({ outcome: 'sent', sendId: first.sendId, reason: 'already recorded' });
    const mail = await sink.waitFor((m) => m.envelopeTo.includes('once@example.com'));
    expect(to('once@example.com')).toHaveLength(1);

    const expected = messageIdFor(i.workflowId, i.stepId, FROM);
    expect(expected).toMatch(/^<[0-9a-f]{40}@rapport\.test>$/);
    expect(mail.parsed.messageId).toBe(expected);
    const row = await tdb.db.messageSend.findUniqueOrThrow({ where: { id: first.sendId } });
    expect(row).toMatchObject({ status: 'sent', messageId: expected, attempts: 1 });
    // Same inputs, same id, in any process; another step, another id.
    expect(messageIdFor(i.workflowId, i.stepId, FROM)).toBe(expected);
    expect(messageIdFor(i.workflowId, 'other_step', FROM)).not.toBe(expected);
  });

  it('never sends twice when the worker dies between the SMTP conversation and the bookkeeping', async () => {
    const c = await contact('crash@example.com');
    const i = input(c.id, 'welcome');
    // A real process, killed with SIGKILL right after the SMTP server accepted the message.
    const child = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/email/support/crash-after-smtp.ts'), tdb.url, sink.smtpUrl, JSON.stringify(i)],
      { cwd: ROOT },
    ).then(
      (ok) => ({ signal: null, stdout: ok.stdout, stderr: ok.stderr }),
      (err: { signal?: string; stdout?: string; stderr?: string }) => ({
        signal: err.signal ?? null,
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? '',
      }),
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(child.stdout).toContain('SMTP-DONE');
    const delivered = await sink.waitFor((m) => m.envelopeTo.includes('crash@example.com'));
    const row = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id } });
    expect(row.status).toBe('sending'); // the process died before it could say "sent"
    expect(delivered.parsed.messageId).toBe(row.messageId);

    // Temporal retries the activity (on another worker): it must not send again.
    const retry = await createSendEmail(deps(mailer))(i);
    expect(retry).toMatchObject({ outcome: 'indeterminate', sendId: row.id });
    const after = await tdb.db.messageSend.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.status).toBe('indeterminate');
    expect(after.error).toMatch(/interrupted during SMTP; not resent/);
    // Send something after it and wait for that, so a duplicate would have arrived first.
    const marker = await contact('after-crash@example.com');
    await createSendEmail(deps(mailer))(input(marker.id, 'welcome'));
    await sink.waitFor((m) => m.envelopeTo.includes('after-crash@example.com'));
    expect(to('crash@example.com')).toHaveLength(1);
  }, 60_000);
});

describe('failures before SMTP', () => {
  it('a database blip before SMTP leaves the send pending: the retry sends it, exactly once', async () => {
    const c = await contact('blip@example.com');
    const i = input(c.id, 'welcome');
    const failures = { left: 1 };
    const send = createSendEmail({ ...deps(mailer), db: flakyDb(tdb.db, failures) });
    await expect(send(i)).rejects.toThrow(/Connection terminated unexpectedly/);
    expect(failures.left).toBe(0);
    const row = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id } });
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });

    // Temporal's retry.
    expect(await send(i)).toMatchObject({ outcome: 'sent', sendId: row.id });
    expect(await send(i)).toMatchObject({ outcome: 'sent', reason: 'already recorded' });
    await sink.waitFor((m) => m.envelopeTo.includes('blip@example.com'));
    const marker = await contact('after-blip@example.com');
    await send(input(marker.id, 'welcome'));
    await sink.waitFor((m) => m.envelopeTo.includes('after-blip@example.com'));
    expect(to('blip@example.com')).toHaveLength(1);
    expect(await tdb.db.messageSend.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a template that fails to render leaves the send pending, not indeterminate', async () => {
    const c = await contact('render-fails@example.com');
    const i = input(c.id, 'welcome');
    let fail = true;
    // The catalogue is read while rendering; it fails the first time.
    const flaky = {
      ...deps(mailer),
      get catalog() {
        if (fail) {
          fail = false;
          throw new Error('catalogue unavailable');
        }
        return undefined;
      },
    };
    const send = createSendEmail(flaky);
    await expect(send(i)).rejects.toThrow(/catalogue unavailable/);
    expect((await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id } })).status).toBe('pending');
    expect(await send(i)).toMatchObject({ outcome: 'sent' });
    await sink.waitFor((m) => m.envelopeTo.includes('render-fails@example.com'));
    expect(to('render-fails@example.com')).toHaveLength(1);
  });
});

describe('subscription category of a send', () => {
  const unsubscribeCategory = (raw: Buffer) => {
    const url = /^<([^>]+)>/.exec(rawHeader(raw, 'List-Unsubscribe') ?? '')?.[1] ?? '';
    return verifyToken(TEST_LINK_SECRET, url.split('/u/')[1] ?? '')?.cat;
  };

  it('a marketing template is sent under the given category: consent, unsubscribe link, row', async () => {
    const send = createSendEmail(deps(mailer));
    // Unsubscribed from the template's category (journeys), not from the journey's.
    const a = await contact('cat-a@example.com', { subscriptions: { journeys: 'unsubscribed' } });
    const r = await send(input(a.id, 'welcome', { category: 'partners' }));
    expect(r).toMatchObject({ outcome: 'sent' });
    expect(await tdb.db.messageSend.findUniqueOrThrow({ where: { id: r.sendId } })).toMatchObject({ category: 'partners', status: 'sent' });
    const mail = await sink.waitFor((m) => m.envelopeTo.includes('cat-a@example.com'));
    expect(unsubscribeCategory(mail.raw)).toBe('partners');
    const linkInBody = /href="http:\/\/rapport\.test\/u\/([^"]+)"/.exec(String(mail.parsed.html))?.[1];
    expect(verifyToken(TEST_LINK_SECRET, linkInBody ?? '')?.cat).toBe('partners');

    // Unsubscribed from the journey's category: suppressed, whatever the template's.
    const b = await contact('cat-b@example.com', { subscriptions: { partners: 'unsubscribed' } });
    expect(await send(input(b.id, 'welcome', { category: 'partners' }))).toMatchObject({
      outcome: 'suppressed',
      reason: 'unsubscribed from partners',
    });
    expect(await send(input(b.id, 'welcome'))).toMatchObject({ outcome: 'sent' });
  });

  it('transactional templates stay transactional, and a category never makes marketing email transactional', async () => {
    const send = createSendEmail(deps(mailer));
    const c = await contact('cat-tx@example.com', { subscriptions: { partners: 'unsubscribed', journeys: 'unsubscribed' } });
    const receipt = await send(input(c.id, 'newsletter-confirm', { category: 'partners' }));
    expect(receipt).toMatchObject({ outcome: 'sent' });
    expect((await tdb.db.messageSend.findUniqueOrThrow({ where: { id: receipt.sendId } })).category).toBe('transactional');
    const mail = await sink.waitFor((m) => m.envelopeTo.includes('cat-tx@example.com'));
    expect(rawHeader(mail.raw, 'List-Unsubscribe')).toBeUndefined();

    const sneaky = await send(input(c.id, 'welcome', { category: 'transactional' }));
    expect(sneaky).toMatchObject({ outcome: 'suppressed', reason: 'unsubscribed from journeys' });
    expect((await tdb.db.messageSend.findUniqueOrThrow({ where: { id: sneaky.sendId } })).category).toBe('journeys');
  });

  it('the frequency cap counts the send under its category', async () => {
    const c = await contact('cat-cap@example.com');
    const send = createSendEmail({ ...deps(mailer), policy: { frequencyCapPer7d: 1, quietHours: null } });
    expect(await send(input(c.id, 'newsletter-confirm'))).toMatchObject({ outcome: 'sent' }); // transactional: not counted
    expect(await send(input(c.id, 'welcome', { category: 'partners' }))).toMatchObject({ outcome: 'sent' });
    expect(await send(input(c.id, 'getting-started'))).toMatchObject({
      outcome: 'deferred',
      reason: expect.stringMatching(/frequency cap: 1 marketing/),
    });
  });
});

describe('headers and sender', () => {
  it('marketing email: List-Unsubscribe (https and mailto), one-click POST, the template From and Reply-To, tracked links', async () => {
    const c = await contact('headers@example.com', { subscriptions: { newsletter: 'subscribed' } });
    const r = await createSendEmail(deps(mailer))(input(c.id, 'newsletter'));
    expect(r.outcome).toBe('sent');
    const mail = await sink.waitFor((m) => m.envelopeTo.includes('headers@example.com'));
    expect(mail.parsed.from?.value).toEqual([{ name: 'Rapport News', address: 'news@rapport.localhost' }]);
    expect(mail.parsed.replyTo?.value).toEqual([{ name: '', address: 'editors@rapport.localhost' }]);
    const lu = rawHeader(mail.raw, 'List-Unsubscribe');
    expect(lu).toMatch(
      /^<http:\/\/rapport\.test\/u\/[\w-]+\.[\w-]+>, <mailto:unsubscribe@rapport\.test\?subject=unsubscribe%20[\w-]+\.[\w-]+>$/,
    );
    expect(rawHeader(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const html = String(mail.parsed.html);
    // Links go through the click redirect, except the consent links; one open pixel.
    expect(html).toMatch(/href="http:\/\/rapport\.test\/t\/c\/[\w-]+\.[\w-]+"/);
    expect(html).not.toContain('href="https://rapport.example/blog/branching"');
    expect(html).toMatch(/href="http:\/\/rapport\.test\/u\/[\w-]+\.[\w-]+"/);
    expect(html).toMatch(/href="http:\/\/rapport\.test\/preferences\/[\w-]+\.[\w-]+"/);
    expect(html.match(/\/t\/o\/[\w-]+\.[\w-]+\.gif/g)).toHaveLength(1);
    // The text part keeps the real links.
    expect(mail.parsed.text).toContain('https://rapport.example/blog/branching');
    expect(mail.parsed.text).not.toContain('/t/c/');
  });

  it('transactional email: no List-Unsubscribe, the default From, the confirmation link untouched', async () => {
    const c = await contact('tx@example.com');
    expect((await createSendEmail(deps(mailer))(input(c.id, 'newsletter-confirm'))).outcome).toBe('sent');
    const mail = await sink.waitFor((m) => m.envelopeTo.includes('tx@example.com'));
    expect(rawHeader(mail.raw, 'List-Unsubscribe')).toBeUndefined();
    expect(rawHeader(mail.raw, 'List-Unsubscribe-Post')).toBeUndefined();
    expect(mail.parsed.from?.value).toEqual([{ name: 'Rapport', address: 'hello@rapport.test' }]);
    expect(String(mail.parsed.html)).toMatch(/href="http:\/\/rapport\.test\/confirm\/[\w-]+\.[\w-]+"/);
  });
});

describe('SMTP errors', () => {
  it('4xx: the activity fails so Temporal retries it, and the retry sends once', async () => {
    const c = await contact('busy@example.com');
    const send = createSendEmail(deps(pickyMailer));
    const i = input(c.id, 'welcome');
    const failure = await send(i).then(
      () => null,
      (err: unknown) => err as Error & { type?: string; details?: unknown[] },
    );
    expect(failure).toMatchObject({ type: 'SmtpTransient', details: [{ responseCode: 451 }] });
    // The failure goes to Temporal's history: the server's answer, without the address.
    expect(failure!.message).toMatch(/451 4\.3\.2 <\[address\]> try again later/);
    expect(failure!.message).not.toContain('busy@example.com');
    const row = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id } });
    expect(row).toMatchObject({ status: 'pending' });
    expect(row.error).toMatch(/will retry: .*451.*busy@example\.com/);
    expect(await send(i)).toMatchObject({ outcome: 'sent' });
    expect(picky.received.filter((a) => a === 'busy@example.com')).toHaveLength(1);
  });

  it('5xx on RCPT: a hard bounce fails the send, records why and suppresses the address for good', async () => {
    const c = await contact('nouser@example.com');
    const send = createSendEmail(deps(pickyMailer));
    const r = await send(input(c.id, 'welcome'));
    expect(r.outcome).toBe('failed');
    expect(r.reason).toMatch(/hard bounce: .*550/);
    const row = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id } });
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.error).toMatch(/no such user/);
    expect(await tdb.db.suppression.findMany({ where: { email: 'nouser@example.com' } })).toMatchObject([
      { category: '*', reason: 'hard_bounce', source: 'smtp' },
    ]);
    // Nothing more to that address, marketing or transactional.
    expect(await send(input(c.id, 'getting-started'))).toMatchObject({ outcome: 'suppressed', reason: 'address suppressed: hard_bounce' });
    expect(await send(input(c.id, 'newsletter-confirm'))).toMatchObject({ outcome: 'suppressed' });
  });

  it('keeps addresses out of the reason returned to the workflow and out of the log; the row keeps the full answer', async () => {
    const c = await contact('gone@example.com');
    const { log: capture, lines } = capturingLogger();
    const r = await createSendEmail({ ...deps(pickyMailer), log: capture })(input(c.id, 'welcome'));
    expect(r.outcome).toBe('failed');
    expect(r.reason).toMatch(/^hard bounce: .*550 5\.1\.1 <\[address\]>: mailbox unavailable/);
    expect(r.reason).not.toContain('gone@example.com');
    const row = await tdb.db.messageSend.findUniqueOrThrow({ where: { id: r.sendId } });
    expect(row.error).toContain('<gone@example.com>: mailbox unavailable');
    expect(lines.join('')).toContain('hard bounce; address suppressed');
    expect(lines.join('')).toContain('<[address]>');
    expect(lines.join('')).not.toMatch(/gone@example/);
  });

  it('5xx after DATA: fails the send and records why, without suppressing the address', async () => {
    const c = await contact('spam@example.com');
    const r = await createSendEmail(deps(pickyMailer))(input(c.id, 'welcome'));
    expect(r.outcome).toBe('failed');
    expect(r.reason).toMatch(/rejected: .*554/);
    expect(await tdb.db.suppression.count({ where: { email: 'spam@example.com' } })).toBe(0);
  });
});

describe('consent at send time', () => {
  it('honours the suppression list for marketing email; transactional email still goes', async () => {
    const c = await contact('listed@example.com');
    await tdb.db.suppression.create({
      data: { email: 'listed@example.com', category: 'journeys', reason: 'unsubscribed', source: 'import' },
    });
    const send = createSendEmail(deps(mailer));
    expect(await send(input(c.id, 'welcome'))).toMatchObject({
      outcome: 'suppressed',
      reason: 'address suppressed for journeys: unsubscribed',
    });
    expect(
      await send(input(c.id, 'order-receipt', { data: { orderId: 'A-1', totalCents: 100, placedAt: '2026-11-01T10:00:00Z', items: [] } })),
    ).toMatchObject({ outcome: 'sent' });

    const d = await contact('complained@example.com');
    await tdb.db.suppression.create({ data: { email: 'complained@example.com', category: '*', reason: 'complaint' } });
    expect(await send(input(d.id, 'getting-started'))).toMatchObject({ outcome: 'suppressed', reason: 'address suppressed: complaint' });
    expect(await send(input(d.id, 'newsletter-confirm'))).toMatchObject({ outcome: 'sent' });
    await sink.waitFor((m) => m.envelopeTo.includes('complained@example.com'));
    expect(to('listed@example.com').map((m) => m.parsed.subject)).toEqual(['Test, your receipt for order A-1']);
  });

  it('sends no newsletter before the double opt-in is confirmed', async () => {
    const c = await contact('pending@example.com', { subscriptions: { newsletter: 'pending' } });
    expect(await createSendEmail(deps(mailer))(input(c.id, 'newsletter'))).toMatchObject({
      outcome: 'suppressed',
      reason: 'newsletter subscription not confirmed yet (double opt-in)',
    });
  });
});
