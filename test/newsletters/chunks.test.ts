// Broadcast chunks (activities/broadcast-chunk.ts) against real PostgreSQL and
// a real SMTP sink, without Temporal: a worker killed mid-chunk, chunks running
// at once, per-domain limits, deferrals under the cap and quiet hours, and
// which newsletter_sent events go to the dispatcher.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Contact, Prisma } from '@prisma/client';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBroadcastActivities } from '../../activities/broadcast';
import { CLAIM_LEASE_MS } from '../../activities/broadcast-chunk';
import type { ActivityDeps } from '../../activities/deps';
import { seedShippedContent } from '../../db/seed';
import type { SendPolicy } from '../../email/policy';
import { createMailer, type Mailer } from '../../email/transport';
import { createLogger } from '../../lib/logger';
import { verifyToken } from '../../lib/tokens';
import { NEWSLETTER_SENT_EVENT } from '../../newsletters/counter';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { ROOT } from '../../stack/tools';
import { broadcastWorkflowId } from '../../workflows/broadcast';
import { freshDatabase, type TestDb } from '../support/db';
import { TEST_LINK_SECRET } from '../support/env';

const run = promisify(execFile);
let tdb: TestDb;
let sink: MailSink;
let mailer: Mailer;

beforeAll(async () => {
  tdb = await freshDatabase('nl_chunks');
  await seedShippedContent(tdb.db);
  sink = await startMailSink({ smtpPort: 0 });
  mailer = createMailer(sink.smtpUrl, 4);
});
afterAll(async () => {
  mailer?.close();
  await sink?.close();
  await tdb?.close();
});

const db = () => tdb.db;
const mailsTo = (email: string) => sink.messages.filter((m) => m.envelopeTo.includes(email));
const acts = (policy?: SendPolicy, more: Partial<ActivityDeps> = {}) =>
  createBroadcastActivities({
    db: db(),
    mailer,
    log: createLogger('test', 'silent'),
    mailFrom: 'Rapport <hello@rapport.test>',
    publicUrl: 'http://rapport.test',
    linkSecret: TEST_LINK_SECRET,
    policy,
    ...more,
  });

async function people(tag: string, n: number, domain = 'example.com', extra: Partial<Prisma.ContactCreateInput> = {}): Promise<Contact[]> {
  const out: Contact[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await db().contact.create({
        data: { email: `${tag}-${i}@${domain}`, firstName: `P${i}`, tags: [tag], subscriptions: { newsletter: 'subscribed' }, ...extra },
      }),
    );
  }
  return out;
}

async function broadcast(tag: string, domainRatePerMinute: Record<string, number> = {}) {
  const id = randomUUID();
  const condition = { field: 'tags', op: 'contains', value: tag };
  await db().broadcast.create({
    data: {
      id,
      name: tag,
      templateKey: 'newsletter',
      reengagementTemplate: 'newsletter-reengage',
      segmentKey: tag,
      condition,
      ratePerMinute: 6000,
      workflowId: broadcastWorkflowId(id),
      status: 'sending',
      domainRatePerMinute,
    },
  });
  return id;
}

async function statuses(broadcastId: string) {
  const rows = await db().broadcastRecipient.groupBy({ by: ['status'], where: { broadcastId }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

describe('broadcast chunks', () => {
  it('a worker killed mid-chunk: nobody mailed twice, the queued rest sent, at most two waves lost', async () => {
    const list = await people('kill', 40);
    const id = await broadcast('kill');
    const a = acts();
    await a.snapshotBroadcastAudience({ broadcastId: id });
    // The chunk takes all 40, sends 4 at a time, and its process dies after the 10th SMTP conversation.
    const child = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test/newsletters/support/crash-mid-chunk.ts'), tdb.url, sink.smtpUrl, id, '40', '10', '4'],
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
    const delivered = list.filter((p) => mailsTo(p.email).length > 0).length;
    expect(delivered).toBeGreaterThanOrEqual(10);
    expect(
      await db().messageSend.count({ where: { workflowId: broadcastWorkflowId(id), status: 'sending', queued: true } }),
    ).toBeGreaterThan(0);

    // The retry (after the dead attempt's lease) finishes the broadcast.
    const later = new Date(Date.now() + CLAIM_LEASE_MS + 60_000).toISOString();
    const r = await a.sendBroadcastBatch({ broadcastId: id, limit: 100, now: later });
    expect(r.counts.remaining).toBe(0);
    const rows = await db().broadcastRecipient.findMany({
      where: { broadcastId: id },
      include: { contact: { select: { email: true, newslettersSinceLastClick: true } } },
    });
    for (const row of rows) {
      const got = mailsTo(row.contact.email).length;
      expect(got, row.contact.email).toBeLessThanOrEqual(1);
      if (row.status === 'sent') {
        expect(got, row.contact.email).toBe(1);
        expect(row.contact.newslettersSinceLastClick).toBe(1);
      } else {
        // Its SMTP may have run when the process died: never resent.
        expect(row.status).toBe('failed');
        expect(row.error).toMatch(/^indeterminate/);
      }
    }
    const failed = rows.filter((x) => x.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    // Lost without a mail: at most the two waves un-queued when the process died (4 each);
    // the rest of the failed were delivered but not yet recorded.
    expect(failed.filter((x) => mailsTo(x.contact.email).length === 0).length).toBeLessThanOrEqual(8);
    expect(rows.filter((x) => x.status === 'sent').length).toBe(40 - failed.length);
    expect(rows.filter((x) => x.status === 'sent').length).toBeGreaterThanOrEqual(40 - 18);
    expect(await db().messageSend.count({ where: { workflowId: broadcastWorkflowId(id), status: 'sending' } })).toBe(0);
  }, 60_000);

  it('chunks running at once take disjoint recipients: each mailed once, counted once', async () => {
    const list = await people('many', 120);
    const id = await broadcast('many');
    const a = acts();
    await a.snapshotBroadcastAudience({ broadcastId: id });
    let rounds = 0;
    for (;;) {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => a.sendBroadcastBatch({ broadcastId: id, limit: 15, concurrency: 3 })),
      );
      rounds++;
      if (results.every((x) => x.counts.remaining === 0)) break;
      expect(rounds).toBeLessThan(10);
    }
    for (const p of list) expect(mailsTo(p.email), p.email).toHaveLength(1);
    expect(await db().messageSend.count({ where: { workflowId: broadcastWorkflowId(id) } })).toBe(120);
    const counters = await db().contact.findMany({
      where: { id: { in: list.map((p) => p.id) } },
      select: { newslettersSinceLastClick: true },
    });
    expect(counters.every((c) => c.newslettersSinceLastClick === 1)).toBe(true);
    expect(await db().event.count({ where: { type: NEWSLETTER_SENT_EVENT, contactId: { in: list.map((p) => p.id) } } })).toBe(120);
    expect(await statuses(id)).toEqual({ sent: 120 });
  });

  it('per-domain limits: at most N a minute to a domain, shared by broadcasts; the rest waits for the next minute', async () => {
    const slow = await people('dom', 8, 'slow.test');
    const fast = await people('dom-f', 4, 'example.com', { tags: ['dom'] });
    const id = await broadcast('dom', { 'slow.test': 3 });
    const a = acts();
    await a.snapshotBroadcastAudience({ broadcastId: id });
    const minute = Math.ceil(Date.now() / 60_000) * 60_000 + 5 * 60_000; // a minute nobody else used
    const at = (ms: number) => new Date(minute + ms).toISOString();
    const r1 = await a.sendBroadcastBatch({ broadcastId: id, limit: 50, now: at(1000) });
    expect([r1.processed, r1.counts.sent, r1.counts.remaining]).toEqual([12, 7, 5]);
    for (const p of fast) expect(mailsTo(p.email)).toHaveLength(1);
    expect(slow.filter((p) => mailsTo(p.email).length === 1)).toHaveLength(3);
    const waiting = await db().broadcastRecipient.findMany({ where: { broadcastId: id, status: 'pending' } });
    expect(waiting.every((w) => w.notBefore?.getTime() === minute + 60_000)).toBe(true);
    expect(waiting[0]!.error).toMatch(/slow\.test limit of 3 a minute/);

    // Another broadcast in the same minute shares the window: no slot left for slow.test.
    const other = await people('dom2', 2, 'slow.test');
    const id2 = await broadcast('dom2', { 'slow.test': 3 });
    await a.snapshotBroadcastAudience({ broadcastId: id2 });
    const o1 = await a.sendBroadcastBatch({ broadcastId: id2, limit: 50, now: at(20_000) });
    expect([o1.counts.sent, o1.counts.remaining]).toEqual([0, 2]);
    for (const p of other) expect(mailsTo(p.email)).toHaveLength(0);

    // Nothing is due before the next minute; then three more.
    const r2 = await a.sendBroadcastBatch({ broadcastId: id, limit: 50, now: at(30_000) });
    expect([r2.processed, r2.nextDueAt]).toEqual([0, new Date(minute + 60_000).toISOString()]);
    const r3 = await a.sendBroadcastBatch({ broadcastId: id, limit: 50, now: at(61_000) });
    expect([r3.counts.sent, r3.counts.remaining]).toEqual([10, 2]);
    const r4 = await a.sendBroadcastBatch({ broadcastId: id, limit: 50, now: at(121_000) });
    expect([r4.counts.sent, r4.counts.remaining]).toEqual([12, 0]);
    for (const p of slow) expect(mailsTo(p.email), p.email).toHaveLength(1);
  });

  it('defers under the frequency cap and in quiet hours, then sends once the time comes', async () => {
    const [capped, quiet, free] = await people('cap', 3);
    await db().contact.update({ where: { id: quiet!.id }, data: { timeZone: 'Asia/Tokyo' } });
    const sentAt = new Date(Date.now() - 86_400_000);
    await db().messageSend.create({
      data: {
        idempotencyKey: `cap-earlier-${randomUUID()}`,
        contactId: capped!.id,
        templateKey: 'newsletter',
        templateVersion: 1,
        category: 'journeys',
        toAddress: capped!.email,
        status: 'sent',
        sentAt,
        messageId: `<${randomUUID()}@rapport.test>`,
      },
    });
    const id = await broadcast('cap');
    // Quiet hours: the current hour in Tokyo (UTC+9), which is not the current hour in UTC.
    const tokyoHour = Number(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', hourCycle: 'h23' }).format(new Date()),
    );
    const start = tokyoHour;
    const end = (tokyoHour + 1) % 24;
    const policy: SendPolicy = { frequencyCapPer7d: 1, quietHours: { start: start * 60, end: end * 60 } };
    const a = acts(policy);
    await a.snapshotBroadcastAudience({ broadcastId: id });
    const r1 = await a.sendBroadcastBatch({ broadcastId: id, limit: 10 });
    expect(r1.counts.remaining).toBe(2);
    expect(mailsTo(capped!.email)).toHaveLength(0);
    expect(mailsTo(quiet!.email)).toHaveLength(0);
    expect(mailsTo(free!.email)).toHaveLength(1);
    const cappedRow = await db().broadcastRecipient.findUniqueOrThrow({
      where: { broadcastId_contactId: { broadcastId: id, contactId: capped!.id } },
    });
    expect(cappedRow.status).toBe('pending');
    expect(cappedRow.error).toMatch(/frequency cap/);
    expect(cappedRow.notBefore!.getTime()).toBeGreaterThanOrEqual(sentAt.getTime() + 7 * 86_400_000);
    const quietRow = await db().broadcastRecipient.findUniqueOrThrow({
      where: { broadcastId_contactId: { broadcastId: id, contactId: quiet!.id } },
    });
    expect(quietRow.error).toMatch(/quiet hours/);
    const send = await db().messageSend.findUniqueOrThrow({ where: { id: cappedRow.sendId! } });
    expect(send.status).toBe('deferred');

    // Eight days on (and outside the quiet hour): both go out, once.
    const r2 = await a.sendBroadcastBatch({
      broadcastId: id,
      limit: 10,
      now: new Date(Date.now() + 8 * 86_400_000 + 3 * 3_600_000).toISOString(),
    });
    expect(r2.counts).toMatchObject({ sent: 3, remaining: 0 });
    for (const p of [capped, quiet, free]) expect(mailsTo(p!.email)).toHaveLength(1);
    expect((await db().messageSend.findUniqueOrThrow({ where: { id: cappedRow.sendId! } })).status).toBe('sent');
  });

  it('stores newsletter_sent events already dispatched unless a journey can care about them', async () => {
    const [fresh, fifth, running] = await people('ev', 3);
    await db().contact.update({ where: { id: fifth!.id }, data: { newslettersSinceLastClick: 4 } });
    await db().journeyRun.create({
      data: { workflowId: `journey/nurture/${running!.id}`, contactId: running!.id, journeyKey: 'nurture', journeyVersion: 1 },
    });
    const id = await broadcast('ev');
    const a = acts();
    await a.snapshotBroadcastAudience({ broadcastId: id });
    await a.sendBroadcastBatch({ broadcastId: id, limit: 10 });
    const events = await db().event.findMany({
      where: { type: NEWSLETTER_SENT_EVENT, contactId: { in: [fresh!.id, fifth!.id, running!.id] } },
    });
    const dispatched = Object.fromEntries(events.map((e) => [e.contactId, e.dispatchedAt !== null]));
    // The fifth unclicked newsletter meets the re-engagement trigger; a running run hears every event.
    expect(dispatched).toEqual({ [fresh!.id]: true, [fifth!.id]: false, [running!.id]: false });
    const fifthEvent = events.find((e) => e.contactId === fifth!.id)!;
    expect(fifthEvent.properties).toMatchObject({ broadcastId: id, variant: 'reengagement', count: 5, template: 'newsletter-reengage' });
  });

  it('a chunk that runs longer than its claim lease renews it, so no other chunk takes its recipients', async () => {
    // A relay that takes 150 ms per message, one conversation at a time: 10 recipients keep the chunk busy ~1.5 s,
    // three times the 500 ms lease.
    const slow = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => setTimeout(cb, 150));
      },
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowMailer = createMailer(`smtp://127.0.0.1:${(slow.server.address() as AddressInfo).port}`, 1);
    try {
      await people('lease', 10);
      const id = await broadcast('lease');
      const leased = acts(undefined, { mailer: slowMailer, claimLease: { leaseMs: 500, renewMs: 100 } });
      await leased.snapshotBroadcastAudience({ broadcastId: id });
      const started = Date.now();
      const first = leased.sendBroadcastBatch({ broadcastId: id, limit: 10, concurrency: 1 });
      // Past the first lease, while the first chunk still sends: a second chunk finds nobody due.
      await vi.waitFor(() => expect(Date.now() - started).toBeGreaterThan(800), { timeout: 2000, interval: 50 });
      const pending = await db().broadcastRecipient.count({ where: { broadcastId: id, status: 'pending' } });
      expect(pending).toBeGreaterThan(0);
      const second = await leased.sendBroadcastBatch({ broadcastId: id, limit: 10, concurrency: 1 });
      expect(second.processed).toBe(0);
      const done = await first;
      expect(done.processed).toBe(10);
      expect(await statuses(id)).toEqual({ sent: 10 });
    } finally {
      slowMailer.close();
      await new Promise<void>((r) => slow.close(r));
    }
  }, 30_000);

  it('each recipient gets their own name, tracked links, open pixel, unsubscribe token and RFC 8058 headers, in 7bit', async () => {
    const list = await people('own', 6);
    const id = await broadcast('own');
    const a = acts();
    await a.snapshotBroadcastAudience({ broadcastId: id });
    await a.sendBroadcastBatch({ broadcastId: id, limit: 10, concurrency: 3 });
    const sends = await db().messageSend.findMany({ where: { workflowId: broadcastWorkflowId(id) } });
    expect(sends).toHaveLength(6);
    for (const [i, p] of list.entries()) {
      const mails = mailsTo(p.email);
      expect(mails, p.email).toHaveLength(1);
      const m = mails[0]!;
      const send = sends.find((s) => s.contactId === p.id)!;
      const raw = m.raw.toString('utf8');
      expect(m.parsed.subject).toBe(`P${i}, what is new at Rapport`);
      expect(m.parsed.html).toContain(`Hi P${i}, here is what happened this month.`);
      expect(raw.split('\r\n').filter((l) => /^Content-Transfer-Encoding:/i.test(l))).toContain('Content-Transfer-Encoding: 7bit');
      expect(m.parsed.messageId).toBe(send.messageId);
      // The unsubscribe link in the body and in List-Unsubscribe: this contact's, this category's.
      const unsub = /href="(http:\/\/rapport\.test\/u\/[^"]+)"/.exec(String(m.parsed.html))?.[1];
      expect(verifyToken(TEST_LINK_SECRET, unsub!.split('/u/')[1]!)).toMatchObject({ p: 'unsubscribe', c: p.id, cat: 'newsletter' });
      const listUnsub = /^List-Unsubscribe:[ \t]*(.*(?:\r\n[ \t]+.*)*)/m.exec(raw)?.[1]?.replace(/\r\n[ \t]+/g, '');
      expect(listUnsub).toContain(`<${unsub}>`);
      expect(raw).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
      // Tracked links and the pixel name this contact and this send.
      const clicks = [...String(m.parsed.html).matchAll(/\/t\/c\/([^"]+)"/g)].map((x) => verifyToken(TEST_LINK_SECRET, x[1]!));
      expect(clicks.length).toBeGreaterThan(0);
      for (const c of clicks) expect(c).toMatchObject({ p: 'click', c: p.id, s: send.id });
      const pixel = /\/t\/o\/([^"]+)\.gif"/.exec(String(m.parsed.html))?.[1];
      expect(verifyToken(TEST_LINK_SECRET, pixel!)).toMatchObject({ p: 'open', c: p.id, s: send.id });
    }
  });
});
