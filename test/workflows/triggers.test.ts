// One block per trigger kind: events are stored and dispatched for real, and
// the runs they start execute on the time-skipping test server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertContact } from '../../contacts/service';
import { journeyWorkflowId } from '../../journeys/ids';
import { SYSTEM_EVENTS } from '../../journeys/match';
import type { JourneyDefinitionInput } from '../../journeys/schema';
import { journeyHarness, type Harness } from '../support/journey-harness';

let h: Harness;
beforeAll(async () => {
  h = await journeyHarness('wf_triggers');
});
afterAll(() => h?.close());

const tagStep = (tag: string) => [{ id: 'tag', type: 'update_contact', addTags: [tag] }];
const runsOf = (key: string, contactId: string) => h.fx.tdb.db.journeyRun.findMany({ where: { journeyKey: key, contactId } });
const result = (key: string, contactId: string, runKey?: string) =>
  h.env.client.workflow.getHandle(journeyWorkflowId(key, contactId, runKey)).result();

describe('event trigger', () => {
  it('starts on a matching event (type and properties), not on others', async () => {
    await h.publish({
      key: 't_event',
      name: 'e',
      trigger: { type: 'event', event: 'webinar_attended', where: { webinar: 'w1' } },
      steps: tagStep('attended'),
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'webinar_attended', { webinar: 'other' });
    expect(await runsOf('t_event', c.id)).toHaveLength(0);
    await h.event(c.id, 'webinar_attended', { webinar: 'w1' });
    expect(await result('t_event', c.id)).toBe('completed');
  });

  it('keyed by a property: one run per key for the same contact', async () => {
    await h.publish({
      key: 't_keyed',
      name: 'k',
      trigger: { type: 'event', event: 'cart_abandoned', key: 'properties.cartId' },
      reentry: 'once',
      steps: [{ id: 'w', type: 'wait', duration: '1h' }],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'cart_abandoned', { cartId: 'A' });
    await h.event(c.id, 'cart_abandoned', { cartId: 'B' });
    await h.event(c.id, 'cart_abandoned', { cartId: 'A' }); // same key while running: signalled, not started again
    const runs = await runsOf('t_keyed', c.id);
    expect(runs.map((r) => r.workflowId).sort()).toEqual(
      [journeyWorkflowId('t_keyed', c.id, 'A'), journeyWorkflowId('t_keyed', c.id, 'B')].sort(),
    );
    expect(runs.every((r) => !r.workflowId.includes('cart'))).toBe(true);
    expect(await result('t_keyed', c.id, 'A')).toBe('completed');
  });
});

describe('condition trigger', () => {
  it('starts when a condition on the contact becomes true as events are recorded', async () => {
    await h.publish({
      key: 't_cond',
      name: 'c',
      trigger: { type: 'condition', when: { field: 'lifetimeSpend', op: 'gte', value: 500 } },
      steps: tagStep('big-spender'),
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'purchase', { amount: 300 });
    expect(await runsOf('t_cond', c.id)).toHaveLength(0);
    await h.event(c.id, 'purchase', { amount: 250 });
    expect(await result('t_cond', c.id)).toBe('completed');
    await h.event(c.id, 'purchase', { amount: 100 }); // still true, but re-entry is "once"
    expect(await runsOf('t_cond', c.id)).toHaveLength(1);
  });
});

describe('attribute_changed trigger', () => {
  it('starts when an attribute changes to the given value', async () => {
    await h.publish({
      key: 't_attr',
      name: 'a',
      trigger: { type: 'attribute_changed', attribute: 'plan', to: 'pro' },
      steps: tagStep('upgraded'),
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await upsertContact(h.fx.tdb.db, { email: c.email, attributes: { plan: 'basic' } });
    await h.dispatch();
    expect(await runsOf('t_attr', c.id)).toHaveLength(0);
    await upsertContact(h.fx.tdb.db, { email: c.email, attributes: { plan: 'pro' } });
    await h.dispatch();
    expect(await result('t_attr', c.id)).toBe('completed');
  });
});

describe('date trigger', () => {
  it('runs 30 days after the last purchase; a new purchase moves the date', async () => {
    await h.publish({
      key: 't_date',
      name: 'd',
      trigger: { type: 'date', field: 'lastPurchaseAt', offset: '30d' },
      steps: [{ id: 'miss', type: 'send_email', template: 'welcome', subject: 'We miss you' }],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'purchase', { amount: 10 });
    const handle = h.env.client.workflow.getHandle(journeyWorkflowId('t_date', c.id));
    const started = (await handle.describe()).startTime.getTime();
    await h.env.sleep('20d');
    await h.event(c.id, 'purchase', { amount: 10 }); // the run is waiting: it re-reads the date
    expect(await handle.result()).toBe('completed');
    const closed = (await handle.describe()).closeTime!.getTime();
    expect(closed - started).toBeGreaterThanOrEqual(50 * 86_400_000 - 60_000);
    await h.fx.sink.waitFor((m) => m.envelopeTo.includes(c.email) && m.parsed.subject === 'We miss you');
  });
});

describe('annual date trigger', () => {
  it('runs on the birthday every year, re-reading the date', async () => {
    await h.publish({
      key: 't_birthday',
      name: 'b',
      trigger: { type: 'date', field: 'attributes.birthday', offset: '0d', annual: true },
      steps: [{ id: 'wish', type: 'update_contact', addPoints: 1 }],
    } as JourneyDefinitionInput);
    const now = new Date(await h.env.currentTimeMs());
    const birthday = new Date(now.getTime() + 10 * 86_400_000);
    const c = await h.contact();
    await upsertContact(h.fx.tdb.db, { email: c.email, attributes: { birthday: `1990-${birthday.toISOString().slice(5, 10)}` } });
    await h.dispatch();
    const handle = h.env.client.workflow.getHandle(journeyWorkflowId('t_birthday', c.id));
    await h.env.sleep('9d');
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).loyaltyPoints).toBe(0);
    await h.env.sleep('2d');
    const points = async () => (await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).loyaltyPoints;
    for (let i = 0; i < 50 && (await points()) === 0; i++) await h.env.sleep('1h');
    expect(await points()).toBe(1);
    await h.env.sleep('365d');
    for (let i = 0; i < 50 && (await points()) === 1; i++) await h.env.sleep('1h');
    expect(await points()).toBe(2);
    expect((await handle.describe()).status.name).toBe('RUNNING'); // waiting for the next year
  });
});

describe('cooldown re-entry and stale runs', () => {
  it('starts again after the cooldown, and a run whose row went stale does not block re-entry', async () => {
    await h.publish({
      key: 't_cool',
      name: 'c',
      trigger: { type: 'event', event: 'pong' },
      reentry: { cooldown: '30d' },
      steps: tagStep('cooled'),
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'pong');
    const handle = h.env.client.workflow.getHandle(journeyWorkflowId('t_cool', c.id));
    const first = (await handle.describe()).runId;
    await handle.result();
    await h.event(c.id, 'pong'); // within the cooldown (real time): no new run
    expect((await handle.describe()).runId).toBe(first);
    // The last run started 31 days ago: a new one may start.
    await h.fx.tdb.db.journeyRun.update({
      where: { workflowId: handle.workflowId },
      data: { startedAt: new Date(Date.now() - 31 * 86_400_000) },
    });
    // And its row says "running" although the run is over (a failed or terminated run).
    await h.fx.tdb.db.journeyRun.update({ where: { workflowId: handle.workflowId }, data: { status: 'running' } });
    await h.event(c.id, 'pong');
    const second = await h.env.client.workflow.getHandle(journeyWorkflowId('t_cool', c.id)).describe();
    expect(second.runId).not.toBe(first);
  });
});

describe('event order per contact', () => {
  it("holds a contact's later events while an earlier one is backing off", async () => {
    const c = await h.contact();
    const db = h.fx.tdb.db;
    const mk = (id: string, receivedAt: Date, next: Date) =>
      db.event.create({
        data: {
          idempotencyKey: `order:${id}`,
          source: 'test',
          type: 'noop',
          contactId: c.id,
          occurredAt: receivedAt,
          receivedAt,
          nextDispatchAt: next,
        },
      });
    const t = Date.now();
    const early = await mk('early', new Date(t - 2000), new Date(t + 60_000)); // failed once, retrying in a minute
    const late = await mk('late', new Date(t - 1000), new Date(t - 1000));
    await h.dispatch();
    expect((await db.event.findUniqueOrThrow({ where: { id: late.id } })).dispatchedAt).toBeNull();
    await db.event.update({ where: { id: early.id }, data: { nextDispatchAt: new Date(t - 1) } });
    await h.dispatch();
    const [e1, e2] = await Promise.all([
      db.event.findUniqueOrThrow({ where: { id: early.id } }),
      db.event.findUniqueOrThrow({ where: { id: late.id } }),
    ]);
    expect(e1.dispatchedAt).not.toBeNull();
    expect(e2.dispatchedAt).not.toBeNull();
    expect(e1.dispatchedAt!.getTime()).toBeLessThanOrEqual(e2.dispatchedAt!.getTime());
  });
});

describe('api trigger', () => {
  it('starts on an enrolment request', async () => {
    await h.publish({ key: 't_api', name: 'api', trigger: { type: 'api' }, steps: tagStep('enrolled') } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'signed_up');
    expect(await runsOf('t_api', c.id)).toHaveLength(0);
    await h.event(c.id, SYSTEM_EVENTS.enrolRequested, { journey: 't_api' });
    expect(await result('t_api', c.id)).toBe('completed');
  });
});

describe('re-entry', () => {
  it('"once" never starts a second run; "always" starts again after the run ended; runs never overlap', async () => {
    await h.publish({
      key: 't_once',
      name: 'o',
      trigger: { type: 'event', event: 'ping' },
      reentry: 'once',
      steps: [{ id: 'w', type: 'wait', duration: '1d' }],
    } as JourneyDefinitionInput);
    await h.publish({
      key: 't_always',
      name: 'a',
      trigger: { type: 'event', event: 'ping' },
      reentry: 'always',
      steps: [{ id: 'w', type: 'wait', duration: '1d' }],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    await h.event(c.id, 'ping');
    await h.event(c.id, 'ping'); // while running: delivered as a signal, no second run
    const always = h.env.client.workflow.getHandle(journeyWorkflowId('t_always', c.id));
    const firstRun = (await always.describe()).runId;
    await result('t_once', c.id);
    await always.result();
    await h.event(c.id, 'ping');
    const secondRun = (await h.env.client.workflow.getHandle(journeyWorkflowId('t_always', c.id)).describe()).runId;
    expect(secondRun).not.toBe(firstRun);
    const once = await h.env.client.workflow.getHandle(journeyWorkflowId('t_once', c.id)).describe();
    expect(once.status.name).toBe('COMPLETED');
  });
});
