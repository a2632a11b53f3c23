// One block per step kind, each on the time-skipping test server with real
// activities: days pass in milliseconds, email goes through a real SMTP server.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../approvals/decide';
import { journeyWorkflowId } from '../../journeys/ids';
import { bucket } from '../../journeys/match';
import type { JourneyDefinitionInput } from '../../journeys/schema';
import { verifyWebhook } from '../../lib/webhook-signature';
import { statusQuery } from '../../shared/signals';
import { TEST_OUTGOING_SECRET } from '../support/env';
import { journeyHarness, type Harness } from '../support/journey-harness';

let h: Harness;
beforeAll(async () => {
  h = await journeyHarness('wf_steps');
});
afterAll(() => h?.close());

const journey = (key: string, steps: unknown[], extra: Record<string, unknown> = {}): JourneyDefinitionInput =>
  ({
    key,
    name: key,
    trigger: { type: 'api' },
    steps,
    ...extra,
  }) as JourneyDefinitionInput;

describe('send_email', () => {
  it('sends the template with a per-step subject override', async () => {
    await h.publish(
      journey('s_send', [{ id: 'hello', type: 'send_email', template: 'welcome', subject: 'Custom hello, {{firstNameOr "you"}}' }]),
    );
    const c = await h.contact({ firstName: 'Sam' });
    expect(await (await h.start('s_send', c.id)).result()).toBe('completed');
    const mail = await h.fx.sink.waitFor((m) => m.envelopeTo.includes(c.email));
    expect(mail.parsed.subject).toBe('Custom hello, Sam');
  });
});

describe('send_email in a loop', () => {
  it('sends once per visit of the step, so a loop or a re-entry mails again', async () => {
    await h.publish(
      journey('s_send_loop', [
        { id: 'mail', type: 'send_email', template: 'getting-started' },
        { id: 'count', type: 'update_contact', addPoints: 1 },
        { id: 'pause', type: 'wait', duration: '1d' },
        { id: 'again', type: 'branch', cases: [{ when: { field: 'loyaltyPoints', op: 'lt', value: 2 }, next: 'mail' }], otherwise: null },
      ]),
    );
    const c = await h.contact();
    await (await h.start('s_send_loop', c.id)).result();
    const sends = await h.fx.tdb.db.messageSend.findMany({ where: { contactId: c.id } });
    expect(sends.map((x) => x.status)).toEqual(['sent', 'sent']);
    expect(new Set(sends.map((x) => x.messageId)).size).toBe(2);
  });
});

describe('wait', () => {
  it('waits the duration, and a goal event ends the run during the wait as a conversion', async () => {
    await h.publish(
      journey(
        's_wait',
        [
          { id: 'pause', type: 'wait', duration: '7d' },
          { id: 'after', type: 'send_email', template: 'welcome' },
        ],
        {
          goals: [{ event: 'purchase' }],
        },
      ),
    );
    const c = await h.contact();
    const handle = await h.start('s_wait', c.id);
    await h.env.sleep('2d');
    const status = await handle.query(statusQuery);
    expect(status.currentStep).toBe('pause');
    await h.event(c.id, 'purchase', { amount: 20 });
    expect(await handle.result()).toBe('converted');
    expect(await h.steps(handle.workflowId)).toEqual(['pause:interrupted', '(end):converted']);
    expect(h.fx.sink.messages.some((m) => m.envelopeTo.includes(c.email))).toBe(false);
  });
});

describe('wait_until_window', () => {
  it('defers to the next window in the contact time zone', async () => {
    const tz = 'America/New_York';
    const hourIn = (t: Date) => Number(new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(t));
    // A one-hour window that starts two hours from now, local time: the step must defer.
    const h0 = hourIn(new Date(await h.env.currentTimeMs()));
    const pad = (n: number) => String(n % 24).padStart(2, '0');
    const [start, end] = [`${pad(h0 + 2)}:00`, `${pad(h0 + 3)}:00`];
    await h.publish(
      journey('s_window', [
        { id: 'window', type: 'wait_until_window', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start, end },
      ]),
    );
    const c = await h.contact({ timeZone: tz });
    const handle = await h.start('s_window', c.id);
    expect(await handle.result()).toBe('completed');
    const started = (await handle.describe()).startTime;
    const closed = (await handle.describe()).closeTime!;
    expect(hourIn(closed)).toBe((h0 + 2) % 24);
    expect(closed.getTime() - started.getTime()).toBeGreaterThan(3_600_000);
    expect(closed.getTime() - started.getTime()).toBeLessThanOrEqual(2 * 3_600_000);
    const log = await h.fx.tdb.db.journeyStepLog.findFirstOrThrow({ where: { workflowId: handle.workflowId, stepId: 'window' } });
    expect(log.outcome).toBe('deferred_to_window');
    expect(log.detail).toMatchObject({ timeZone: tz });
  });
});

describe('wait_for_event', () => {
  const def = journey('s_wfe', [
    {
      id: 'await_click',
      type: 'wait_for_event',
      event: 'email_clicked',
      where: { campaign: 'spring' },
      timeout: '3d',
      onEvent: 'clicked',
      onTimeout: 'no_click',
    },
    { id: 'clicked', type: 'update_contact', addTags: ['clicked'], next: 'done' },
    { id: 'no_click', type: 'update_contact', addTags: ['no-click'] },
    { id: 'done', type: 'exit', outcome: 'completed' },
  ]);

  it('takes onEvent when a matching event arrives first (others are ignored)', async () => {
    await h.publish(def);
    const c = await h.contact();
    const handle = await h.start('s_wfe', c.id);
    await h.env.sleep('1d');
    await h.event(c.id, 'email_clicked', { campaign: 'autumn' }); // wrong property: ignored
    await h.event(c.id, 'email_clicked', { campaign: 'spring' });
    expect(await handle.result()).toBe('completed');
    expect((await h.steps(handle.workflowId))[0]).toBe('await_click:event_received');
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).tags).toEqual(['clicked']);
  });

  it('takes onTimeout when nothing arrives in time', async () => {
    const c = await h.contact();
    const handle = await h.start('s_wfe', c.id);
    expect(await handle.result()).toBe('completed');
    expect(await h.steps(handle.workflowId)).toEqual(['await_click:timed_out', 'no_click:updated', 'done:completed', '(end):completed']);
  });
});

describe('branch', () => {
  it('takes the first case that holds on fresh data and says why', async () => {
    await h.publish(
      journey('s_branch', [
        {
          id: 'which',
          type: 'branch',
          cases: [
            { label: 'vip', when: { field: 'tier', op: 'eq', value: 'gold' }, next: 'vip' },
            { label: 'hot', when: { event: 'page_viewed', where: { path: '/pricing' }, within: '7d', count: { gte: 2 } }, next: 'hot' },
          ],
          otherwise: null,
        },
        { id: 'vip', type: 'exit', outcome: 'completed', reason: 'vip' },
        { id: 'hot', type: 'exit', outcome: 'converted', reason: 'hot' },
      ]),
    );
    const gold = await h.contact({ tier: 'gold' });
    expect(await (await h.start('s_branch', gold.id)).result()).toBe('completed');
    const hot = await h.contact();
    await h.event(hot.id, 'page_viewed', { path: '/pricing' });
    await h.event(hot.id, 'page_viewed', { path: '/pricing' });
    const handle = await h.start('s_branch', hot.id);
    expect(await handle.result()).toBe('converted');
    const log = await h.fx.tdb.db.journeyStepLog.findFirstOrThrow({ where: { workflowId: handle.workflowId, stepId: 'which' } });
    expect(log.outcome).toBe('hot');
    expect(log.detail).toMatchObject({ why: expect.stringContaining('2 "page_viewed" event(s) in the last 7d') });
    const cold = await h.contact();
    const coldHandle = await h.start('s_branch', cold.id);
    expect(await coldHandle.result()).toBe('completed');
    expect(await h.steps(coldHandle.workflowId)).toEqual(['which:otherwise', '(end):completed']);
  });
});

describe('split', () => {
  it('assigns a stable variant per contact', async () => {
    await h.publish(
      journey('s_split', [
        {
          id: 'ab',
          type: 'split',
          variants: [
            { name: 'a', percent: 50, next: 'a' },
            { name: 'b', percent: 50, next: 'b' },
          ],
        },
        { id: 'a', type: 'exit', outcome: 'completed', reason: 'variant a' },
        { id: 'b', type: 'exit', outcome: 'completed', reason: 'variant b' },
      ]),
    );
    const c = await h.contact();
    const handle = await h.start('s_split', c.id);
    await handle.result();
    const expected = bucket(`${c.id}:s_split:ab`) < 50 ? 'a' : 'b';
    const log = await h.fx.tdb.db.journeyStepLog.findFirstOrThrow({ where: { workflowId: handle.workflowId, stepId: 'ab' } });
    expect(log.outcome).toBe(`variant_${expected}`);
  });
});

describe('update_contact', () => {
  it('sets and unsets attributes, tags, points and tier, once, and records attribute changes as events', async () => {
    await h.publish(
      journey('s_update', [
        {
          id: 'upd',
          type: 'update_contact',
          set: { plan: 'pro' },
          unset: ['trial'],
          addTags: ['customer'],
          removeTags: ['lead'],
          addPoints: 50,
          setTier: 'silver',
        },
      ]),
    );
    const c = await h.contact({ attributes: { trial: true }, tags: ['lead'] });
    await (await h.start('s_update', c.id)).result();
    const after = await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } });
    expect(after).toMatchObject({ attributes: { plan: 'pro' }, tags: ['customer'], loyaltyPoints: 50, tier: 'silver' });
    const changes = await h.fx.tdb.db.event.findMany({ where: { contactId: c.id, type: 'attribute_changed' } });
    expect(changes.map((e) => e.properties).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { attribute: 'plan', from: null, to: 'pro' },
      { attribute: 'trial', from: true, to: null },
    ]);
  });
});

describe('issue_coupon', () => {
  it('issues one unique coupon per visit, shown in the next email; a re-entered run gets a new one', async () => {
    await h.publish(
      journey(
        's_coupon',
        [
          { id: 'gift', type: 'issue_coupon', value: 15, prefix: 'GIFT', reason: 'Test gift', expiresIn: '4w' },
          { id: 'mail', type: 'send_email', template: 'reward', data: { tier: 'Test' } },
        ],
        { reentry: 'always' },
      ),
    );
    const c = await h.contact({ firstName: 'Gus' });
    const first = await h.start('s_coupon', c.id);
    await first.result();
    const coupons = await h.fx.tdb.db.coupon.findMany({ where: { contactId: c.id } });
    expect(coupons).toHaveLength(1);
    expect(coupons[0]).toMatchObject({ valueCents: 1500, currency: 'USD', status: 'issued', reason: 'Test gift' });
    expect(coupons[0]!.code).toMatch(/^GIFT-[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    const mail = await h.fx.sink.waitFor((m) => m.envelopeTo.includes(c.email));
    expect(mail.parsed.text).toContain(coupons[0]!.code);
    // Same workflow id, new run (re-entry): a new visit, so a new coupon and a new email.
    await (await h.start('s_coupon', c.id)).result();
    const after = await h.fx.tdb.db.coupon.findMany({ where: { contactId: c.id } });
    expect(after).toHaveLength(2);
    expect(new Set(after.map((x) => x.code)).size).toBe(2);
    expect(h.fx.sink.messages.filter((m) => m.envelopeTo.includes(c.email))).toHaveLength(2);
  });
});

describe('create_task', () => {
  it('creates a task for the owning rep and emails them', async () => {
    await h.publish(
      journey('s_task', [
        { id: 'call', type: 'create_task', owner: 'contact.owner', due: '3d', reason: 'Call {{contact.firstName}} about pricing' },
      ]),
    );
    const c = await h.contact({ firstName: 'Pat', ownerEmail: 'rep@example.com' });
    const handle = await h.start('s_task', c.id);
    await handle.result();
    const task = await h.fx.tdb.db.salesTask.findFirstOrThrow({ where: { contactId: c.id } });
    expect(task).toMatchObject({ owner: 'rep@example.com', reason: 'Call Pat about pricing', status: 'open' });
    expect(task.notifiedAt).not.toBeNull();
    const mail = await h.fx.sink.waitFor((m) => m.envelopeTo.includes('rep@example.com'));
    expect(mail.parsed.text).toContain('Call Pat about pricing');
  });
});

describe('approval', () => {
  const def = journey('s_approval', [
    {
      id: 'ask',
      type: 'approval',
      approver: 'boss@example.com',
      subject: 'Big reward',
      deadline: '2d',
      onApprove: 'yes',
      onReject: 'no',
      onTimeout: 'reject',
    },
    { id: 'yes', type: 'exit', outcome: 'completed', reason: 'approved' },
    { id: 'no', type: 'exit', outcome: 'exited', reason: 'rejected' },
  ]);

  it('branches on a human decision', async () => {
    await h.publish(def);
    const c = await h.contact();
    const handle = await h.start('s_approval', c.id);
    const mail = await h.fx.sink.waitFor((m) => m.envelopeTo.includes('boss@example.com') && m.parsed.text!.includes(c.email));
    expect(mail.parsed.subject).toBe('Approval needed: Big reward');
    const approval = await h.fx.tdb.db.approval.findFirstOrThrow({ where: { contactId: c.id } });
    await h.env.sleep('1d');
    await decideApproval(h.fx.tdb.db, { id: approval.id, decision: 'approve', by: 'boss@example.com' });
    await h.dispatch();
    expect(await handle.result()).toBe('completed');
    expect((await h.steps(handle.workflowId))[0]).toBe('ask:approved');
  });

  it('applies the timeout rule when nobody decides', async () => {
    const c = await h.contact();
    const handle = await h.start('s_approval', c.id);
    expect(await handle.result()).toBe('exited');
    expect((await h.steps(handle.workflowId))[0]).toBe('ask:rejected');
    const approval = await h.fx.tdb.db.approval.findFirstOrThrow({ where: { contactId: c.id } });
    expect(approval.status).toBe('expired');
  });
});

describe('webhook', () => {
  let server: Server;
  const calls: { headers: IncomingMessage['headers']; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ score: 80 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('calls the URL and lets a later branch use the response', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
    await h.publish(
      journey('s_hook', [
        { id: 'score', type: 'webhook', url, body: { reason: 'lead-score' } },
        {
          id: 'check',
          type: 'branch',
          cases: [{ when: { field: 'steps.score.body.score', op: 'gte', value: 50 }, next: 'hot' }],
          otherwise: null,
        },
        { id: 'hot', type: 'exit', outcome: 'converted' },
      ]),
    );
    const c = await h.contact();
    expect(await (await h.start('s_hook', c.id)).result()).toBe('converted');
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.body)).toMatchObject({ reason: 'lead-score', contactId: c.id, journey: 's_hook' });
    expect(calls[0]!.headers['idempotency-key']).toMatch(/^journey\/s_hook\//);
  });

  it('signs each call with OUTGOING_WEBHOOK_SECRET', () => {
    const sig = String(calls[0]!.headers['rapport-signature']);
    expect(verifyWebhook(TEST_OUTGOING_SECRET, sig, Buffer.from(calls[0]!.body), 300).ok).toBe(true);
    expect(verifyWebhook('another-secret-0123456789', sig, Buffer.from(calls[0]!.body), 300).ok).toBe(false);
  });
});

describe('enrol', () => {
  it('enrols the contact in another journey through the outbox', async () => {
    await h.publish(journey('s_target', [{ id: 't', type: 'update_contact', addTags: ['enrolled'] }]));
    await h.publish(journey('s_enrol', [{ id: 'go', type: 'enrol', journey: 's_target' }]));
    const c = await h.contact();
    await (await h.start('s_enrol', c.id)).result();
    expect(await h.dispatch()).toBeGreaterThan(0);
    const target = h.env.client.workflow.getHandle(journeyWorkflowId('s_target', c.id));
    expect(await target.result()).toBe('completed');
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).tags).toContain('enrolled');
  });
});

describe('exit', () => {
  it('ends the run with its outcome', async () => {
    await h.publish(
      journey(
        's_exit',
        [
          { id: 'bye', type: 'exit', outcome: 'converted', reason: 'done' },
          { id: 'never', type: 'send_email', template: 'welcome' },
        ].slice(0, 1),
      ),
    );
    const c = await h.contact();
    const handle = await h.start('s_exit', c.id);
    expect(await handle.result()).toBe('converted');
    const run = await h.fx.tdb.db.journeyRun.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(run).toMatchObject({ status: 'converted', currentStep: null });
    expect(run.endedAt).not.toBeNull();
  });
});

describe('a step that fails for good', () => {
  it('records the run as failed, with the step and the reason, and the workflow fails', async () => {
    // No template "no-such-template": the email activity gives up at once (non-retryable).
    await h.publish(journey('s_fails', [{ id: 'mail', type: 'send_email', template: 'no-such-template' }]));
    const c = await h.contact();
    const handle = await h.start('s_fails', c.id);
    await expect(handle.result()).rejects.toThrow();
    const run = await h.fx.tdb.db.journeyRun.findUniqueOrThrow({ where: { workflowId: handle.workflowId } });
    expect(run.status).toBe('failed');
    expect(run.endedAt).not.toBeNull();
    expect(await h.steps(handle.workflowId)).toEqual(['(end):failed']);
    const end = await h.fx.tdb.db.journeyStepLog.findFirstOrThrow({ where: { workflowId: handle.workflowId, stepId: '(end)' } });
    expect(end.detail).toEqual({ reason: expect.stringMatching(/^step mail failed: .*no-such-template/) });
  });
});
