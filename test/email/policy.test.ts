// Sending policy on the time-skipping test server: a capped or quiet-hour send
// is deferred (not dropped), the run sleeps until the allowed moment, and the
// reason is on the timeline. Real activities, PostgreSQL and SMTP.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createActivities } from '../../activities';
import { seedShippedContent } from '../../db/seed';
import { formatQuietHours, localMinutes, parseQuietHours, quietHoursEnd, type SendPolicy } from '../../email/policy';
import { createMailer, type Mailer } from '../../email/transport';
import { createLogger } from '../../lib/logger';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { freshDatabase, type TestDb } from '../support/db';
import { TEST_LINK_SECRET } from '../support/env';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let tdb: TestDb;
let sink: MailSink;
let mailer: Mailer;

beforeAll(async () => {
  [env, tdb, sink] = await Promise.all([createTimeSkippingEnv(), freshDatabase('email_policy'), startMailSink({ smtpPort: 0 })]);
  await seedShippedContent(tdb.db);
  mailer = createMailer(sink.smtpUrl, 2);
});
afterAll(async () => {
  await env?.teardown();
  mailer?.close();
  await sink?.close();
  await tdb?.close();
});

function activities(policy: SendPolicy) {
  return createActivities({
    db: tdb.db,
    mailer,
    log: createLogger('test', 'silent'),
    mailFrom: 'Rapport <hello@rapport.test>',
    publicUrl: 'http://rapport.test',
    linkSecret: TEST_LINK_SECRET,
    policy,
  });
}

async function runWelcome(contactId: string, policy: SendPolicy, whileRunning: () => Promise<void>) {
  const taskQueue = `policy-${contactId.slice(0, 8)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: activities(policy),
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start('journeyWorkflow', {
      workflowId: `journey/welcome/${contactId}`,
      taskQueue,
      args: [{ contactId, journeyKey: 'welcome', version: 1 }],
    });
    await whileRunning();
    return handle.result();
  });
}

describe('quiet hours arithmetic', () => {
  it('parses, and finds the end of the quiet hours in the contact time zone', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ start: 1260, end: 480 });
    expect(parseQuietHours('')).toBeNull();
    expect(() => parseQuietHours('9pm-8am')).toThrowError(/21:00-08:00/);
    const q = parseQuietHours('21:00-08:00')!;
    // 23:30 in New York (EST, UTC-5) -> 08:00 the next morning there.
    expect(quietHoursEnd(new Date('2026-11-24T04:30:00Z'), 'America/New_York', q)?.toISOString()).toBe('2026-11-24T13:00:00.000Z');
    // 06:10 in Tokyo -> 08:00 the same morning.
    expect(quietHoursEnd(new Date('2026-11-23T21:10:00Z'), 'Asia/Tokyo', q)?.toISOString()).toBe('2026-11-23T23:00:00.000Z');
    expect(quietHoursEnd(new Date('2026-11-24T15:00:00Z'), 'America/New_York', q)).toBeNull();
    // Across the spring DST change in Paris (29 March 2026, 02:00 -> 03:00).
    expect(quietHoursEnd(new Date('2026-03-28T22:00:00Z'), 'Europe/Paris', q)?.toISOString()).toBe('2026-03-29T06:00:00.000Z');
  });
});

describe('frequency cap across journeys', () => {
  it('defers the send past the cap to the moment a slot frees up, then sends; transactional mail is exempt', async () => {
    const now = await env.currentTimeMs();
    const c = await tdb.db.contact.create({ data: { email: 'capped@example.com', firstName: 'Cap' } });
    // Two marketing emails from other journeys in the last week; the cap is 2.
    for (const [i, daysAgo] of [1, 3].entries()) {
      await tdb.db.messageSend.create({
        data: {
          idempotencyKey: `other-${i}`,
          contactId: c.id,
          templateKey: 'newsletter',
          templateVersion: 1,
          category: 'newsletter',
          journeyKey: `other-${i}`,
          toAddress: c.email,
          messageId: `<other-${i}@x>`,
          status: 'sent',
          sentAt: new Date(now - daysAgo * DAY),
        },
      });
    }
    const policy = { frequencyCapPer7d: 2, quietHours: null };
    const tx = await activities(policy).sendEmail({
      contactId: c.id,
      templateKey: 'newsletter-confirm',
      workflowId: 'optin/x',
      stepId: 'confirm',
      now: new Date(now).toISOString(),
    });
    expect(tx.outcome).toBe('sent');

    const status = await runWelcome(c.id, policy, async () => {
      // Before time moves on: the send waits, and says why (the timeline shows the send's status and error).
      const row = await vi.waitFor(
        async () => {
          const r = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id, templateKey: 'welcome' } });
          expect(r.status).toBe('deferred');
          return r;
        },
        { timeout: 15_000, interval: 50 },
      );
      expect(row.error).toMatch(/^deferred until .*: frequency cap: 2 marketing emails in the last 7 days \(cap 2\)$/);
      expect(sink.messages.some((m) => m.envelopeTo.includes('capped@example.com') && /Welcome/.test(m.parsed.subject ?? ''))).toBe(false);
    });
    expect(status).toBe('completed');

    const welcome = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id, templateKey: 'welcome' } });
    expect(welcome.status).toBe('sent');
    // The oldest of the two turned 7 days old 4 days from now.
    expect(welcome.sentAt!.getTime()).toBeGreaterThanOrEqual(now + 4 * DAY);
    expect(welcome.sentAt!.getTime()).toBeLessThan(now + 4 * DAY + 10 * 60_000);
    const steps = await tdb.db.journeyStepLog.findMany({ where: { contactId: c.id }, orderBy: { at: 'asc' } });
    const first = steps.find((s) => s.stepId === 'welcome_email')!;
    expect(first.outcome).toBe('sent');
    expect(first.detail).toMatchObject({ deferrals: 1, deferredReason: expect.stringMatching(/^frequency cap/) });
    await sink.waitFor((m) => m.envelopeTo.includes('capped@example.com') && m.parsed.subject === 'Three tips to get started, Cap');
    expect(sink.messages.filter((m) => m.envelopeTo.includes('capped@example.com')).map((m) => m.parsed.subject)).toEqual([
      'Please confirm your subscription, Cap',
      'Welcome to Rapport, Cap!',
      'Three tips to get started, Cap',
    ]);
  });
});

describe('frequency cap under concurrency', () => {
  it('ten sends to one contact at once, cap 3: three are sent, seven deferred (the contact is locked while each decides)', async () => {
    const now = await env.currentTimeMs();
    const c = await tdb.db.contact.create({ data: { email: 'racing@example.com', firstName: 'Race' } });
    const send = activities({ frequencyCapPer7d: 3, quietHours: null }).sendEmail;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send({
          contactId: c.id,
          templateKey: 'welcome',
          workflowId: `race/${i}`,
          stepId: 'welcome_email',
          now: new Date(now).toISOString(),
        }),
      ),
    );
    expect(results.map((r) => r.outcome).sort()).toEqual([...Array(7).fill('deferred'), ...Array(3).fill('sent')]);
    const rows = await tdb.db.messageSend.groupBy({ by: ['status'], where: { contactId: c.id }, _count: true });
    expect(Object.fromEntries(rows.map((r) => [r.status, r._count]))).toEqual({ sent: 3, deferred: 7 });
    await sink.waitFor(() => sink.messages.filter((x) => x.envelopeTo.includes('racing@example.com')).length >= 3);
    expect(sink.messages.filter((m) => m.envelopeTo.includes('racing@example.com'))).toHaveLength(3);
  });
});

describe('quiet hours', () => {
  it('defers a send in quiet hours to their end in the contact time zone', async () => {
    const tz = 'Asia/Tokyo';
    const now = await env.currentTimeMs();
    const m = localMinutes(new Date(now), tz);
    const quietHours = { start: (m - 30 + 1440) % 1440, end: (m + 90) % 1440 };
    const c = await tdb.db.contact.create({ data: { email: 'night@example.com', firstName: 'Nao', timeZone: tz } });
    await runWelcome(c.id, { frequencyCapPer7d: 0, quietHours }, async () => {
      await vi.waitFor(
        async () => {
          const r = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id, templateKey: 'welcome' } });
          expect(r.status).toBe('deferred');
          expect(r.error).toContain(`quiet hours ${formatQuietHours(quietHours)} in Asia/Tokyo`);
        },
        { timeout: 15_000, interval: 50 },
      );
    });
    const welcome = await tdb.db.messageSend.findFirstOrThrow({ where: { contactId: c.id, templateKey: 'welcome' } });
    expect(welcome.status).toBe('sent');
    expect(localMinutes(welcome.sentAt!, tz)).toBe(quietHours.end);
    expect(welcome.sentAt!.getTime() - now).toBeGreaterThan(80 * 60_000);
    expect(welcome.sentAt!.getTime() - now).toBeLessThan(95 * 60_000);
    const step = await tdb.db.journeyStepLog.findFirstOrThrow({ where: { contactId: c.id, stepId: 'welcome_email' } });
    expect(step.detail).toMatchObject({ deferrals: 1, deferredReason: `quiet hours ${formatQuietHours(quietHours)} in Asia/Tokyo` });
  });
});
