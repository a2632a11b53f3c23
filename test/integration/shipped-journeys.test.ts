// Each shipped journey end to end on the real Temporal dev server, PostgreSQL
// and SMTP server, with its waits shortened to seconds.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishShortened } from '../support/shortened';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  // Five newsletters back to back would hit the weekly frequency cap; this test is about the journeys.
  s = await startTestStack('it_shipped', { serverOverrides: { FREQUENCY_CAP_PER_7D: '0' } });
  await publishShortened(s.tdb.db, 'nurture', (field) => (field === 'duration' ? '1s' : '1d'));
  await publishShortened(s.tdb.db, 'spend_rewards', (field) => (field === 'timeout' ? '2s' : field === 'duration' ? '1s' : '2d'));
  await publishShortened(s.tdb.db, 'purchase_feedback', () => '1s');
  await publishShortened(s.tdb.db, 'reengagement', (field) => (field === 'duration' ? '2s' : '30d'));
  await Promise.all([s.startServer(), s.startWorker()]);
});
afterAll(() => s?.close());

const wait = { timeout: 30_000, interval: 100 };

describe('shipped journeys on the real stack', () => {
  it('nurture: the series goes out, and a pricing-page visit hands the prospect to sales', async () => {
    const email = 'it-prospect@example.com';
    await s.api('/v1/contacts', { body: { email, firstName: 'Ida', ownerEmail: 'rep@example.com' } });
    await s.webhook('shop', { id: 'it-dl', type: 'guide_downloaded', contact: { email } });
    await s.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Ida, ideas picked for you', 30_000);
    await s.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'How a team like yours doubled repeat orders', 30_000);
    await s.webhook('shop', { id: 'it-pricing', type: 'page_viewed', contact: { email }, properties: { path: '/pricing' } });
    await s.sink.waitFor((m) => m.envelopeTo.includes('rep@example.com') && m.parsed.subject === 'Follow up with Ida', 30_000);
    const contact = (await s.api(`/v1/contacts/${email}?by=email`)).body.contact;
    await vi.waitFor(async () => {
      expect((await s.api(`/v1/journeys/nurture/runs/${contact.id}`)).body.run.status).toBe('exited');
    }, wait);
  });

  it('spend rewards: crossing silver by webhook sends a coupon and moves the tier; feedback follows', async () => {
    const email = 'it-spender@example.com';
    await s.webhook('shop', {
      id: 'it-o1',
      type: 'purchase',
      contact: { email, firstName: 'Sam' },
      properties: { orderId: 'it-o1', amount: 150 },
    });
    const reward = await s.sink.waitFor(
      (m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Thank you, Sam: you are now Silver',
      30_000,
    );
    const code = /SILVER-[A-Z2-9]{5}-[A-Z2-9]{5}/.exec(reward.parsed.text ?? '')?.[0];
    expect(code).toBeDefined();
    await vi.waitFor(async () => {
      expect((await s.api(`/v1/contacts/${email}?by=email`)).body.contact).toMatchObject({ tier: 'silver', lifetimeSpendCents: 15000 });
    }, wait);
    const coupon = await s.tdb.db.coupon.findUniqueOrThrow({ where: { code: code! } });
    expect(coupon).toMatchObject({ status: 'issued', valueCents: 1000 });
    await s.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'How was your order, Sam?', 30_000);
  });

  it('re-engagement: five unclicked newsletters, then the last chance, then the sunset', async () => {
    const email = 'it-quiet@example.com';
    await s.api('/v1/contacts', { body: { email, firstName: 'Quin' } });
    await s.tdb.db.contact.update({ where: { email }, data: { subscriptions: { newsletter: 'subscribed' } } });
    expect(
      (await s.api('/v1/segments/it-readers', { body: { name: 'Readers', condition: { field: 'email', op: 'eq', value: email } } })).status,
    ).toBe(201);
    for (let n = 1; n <= 5; n++) {
      const r = await s.api('/v1/newsletters', { body: { name: `Issue ${n}`, template: 'newsletter', segment: 'it-readers' } });
      expect(r.status).toBe(202);
      await vi.waitFor(async () => {
        expect((await s.api(`/v1/newsletters/${r.body.newsletter.id}`)).body.newsletter.status).toBe('completed');
      }, wait);
    }
    const subjects = s.sink.messages.filter((m) => m.envelopeTo.includes(email)).map((m) => m.parsed.subject ?? '');
    expect(subjects).toHaveLength(5);
    expect(subjects[4]).toMatch(/still/i);
    await s.sink.waitFor((m) => m.envelopeTo.includes(email) && /last chance/i.test(m.parsed.subject ?? ''), 30_000);
    await vi.waitFor(async () => {
      expect((await s.api(`/v1/contacts/${email}?by=email`)).body.contact.subscriptions.newsletter).toBe('sunset');
    }, wait);
  });

  it('we miss you: a regular who skips twice their usual interval hears from us', async () => {
    const email = 'it-regular@example.com';
    const t = Date.now();
    const DAY = 86_400_000;
    // Two orders a day apart, a month ago: the next was due two days after the second.
    for (const [i, ago] of [30 * DAY, 29 * DAY].entries()) {
      await s.webhook('shop', {
        id: `it-r${i}`,
        type: 'purchase',
        contact: { email, firstName: 'Rae' },
        properties: { orderId: `it-r${i}`, amount: 5 },
        occurredAt: new Date(t - ago).toISOString(),
      });
    }
    const c = (await s.api(`/v1/contacts/${email}?by=email`)).body.contact;
    expect(c.purchaseCount).toBe(2);
    expect(Date.parse(c.nextPurchaseDueAt)).toBe(t - 29 * DAY + 2 * DAY);
    await s.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'We miss you, Rae', 30_000);
  });

  it('we miss you: purchases seconds apart are not a cadence of seconds (due two days after the last at the soonest)', async () => {
    const email = 'it-burst@example.com';
    const t = Date.now();
    for (const [i, ago] of [6_000, 3_000, 0].entries()) {
      await s.webhook('shop', {
        id: `it-b${i}`,
        type: 'purchase',
        contact: { email },
        properties: { orderId: `it-b${i}`, amount: 5 },
        occurredAt: new Date(t - ago).toISOString(),
      });
    }
    const c = (await s.api(`/v1/contacts/${email}?by=email`)).body.contact;
    expect(c.purchaseCount).toBe(3);
    expect(Date.parse(c.nextPurchaseDueAt)).toBe(t + 2 * 86_400_000);
  });
});
