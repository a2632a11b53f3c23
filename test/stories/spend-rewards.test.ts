// Spend-threshold rewards, feedback requests and "we miss you", played through
// purchase webhooks and the API over simulated weeks.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { journeyWorkflowId } from '../../journeys/ids';
import { story, type Story } from '../support/story';

let s: Story;
beforeAll(async () => {
  s = await story('story_rewards');
});
afterAll(() => s?.close());

const subjects = (email: string) => s.fx.sink.messages.filter((m) => m.envelopeTo.includes(email)).map((m) => m.parsed.subject ?? '');
const buy = async (email: string, orderId: string, amount: number) =>
  s.webhook('shop', {
    id: `order-${orderId}`,
    type: 'purchase',
    contact: { email },
    properties: { orderId, amount, currency: 'USD', items: [{ sku: 'starter-kit' }] },
    occurredAt: await s.now(),
  });

describe('spend-threshold rewards', () => {
  it('rewards each tier once, with unique coupons; the big one waits for approval; repeats count once', async () => {
    const email = 'spender@example.com';
    await s.api('/v1/contacts', { email, firstName: 'Sol' });
    const contact = (await s.api(`/v1/contacts/${email}?by=email`)).body.contact;

    await buy(email, 'o1', 60);
    const dup = await buy(email, 'o1', 60); // the shop retried the webhook
    expect(dup.body.duplicate).toBe(true);
    await s.advance('15m');
    expect((await s.api(`/v1/contacts/${contact.id}`)).body.contact).toMatchObject({
      lifetimeSpendCents: 6000,
      purchaseCount: 1,
      tier: null,
    });

    await buy(email, 'o2', 50); // 110: silver
    const silver = await s.fx.sink.waitFor(
      (m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Thank you, Sol: you are now Silver',
    );
    expect(silver.parsed.text).toMatch(/SILVER-[A-Z2-9]{5}-[A-Z2-9]{5}/);
    await s.advance('15m');

    await buy(email, 'o3', 900); // 1,010: gold, then platinum (approval first)
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Thank you, Sol: you are now Gold');
    await s.advance('2m');
    const ask = await s.fx.sink.waitFor((m) => m.envelopeTo.includes('rewards@rapport.example'));
    expect(ask.parsed.subject).toBe('Approval needed: Platinum reward: a $100 coupon');
    const pending = await s.api('/v1/approvals?status=pending');
    const approval = pending.body.approvals.find((a: { contactId: string }) => a.contactId === contact.id);
    expect(approval.contact).toMatchObject({ email }); // whom it is about, in the list itself
    await s.advance('6h');
    expect((await s.api(`/v1/approvals/${approval.id}/decision`, { decision: 'approve', by: 'maria@rapport.example' })).status).toBe(200);
    const plat = await s.fx.sink.waitFor(
      (m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Thank you, Sol: you are now Platinum',
    );
    expect(plat.parsed.text).toMatch(/PLAT-[A-Z2-9]{5}-[A-Z2-9]{5}/);

    await vi.waitFor(
      async () => {
        expect((await s.api(`/v1/contacts/${contact.id}`)).body.contact).toMatchObject({
          tier: 'platinum',
          lifetimeSpendCents: 101_000,
          loyaltyPoints: 1350,
        });
      },
      { timeout: 10_000 },
    );
    const coupons = await s.fx.tdb.db.coupon.findMany({ where: { contactId: contact.id }, orderBy: { issuedAt: 'asc' } });
    expect(coupons.map((c) => [c.reason, c.valueCents])).toEqual([
      ['Silver tier reward', 1000],
      ['Gold tier reward', 2500],
      ['Platinum tier reward', 10000],
    ]);
    expect(new Set(coupons.map((c) => c.code)).size).toBe(3);

    // More purchases never reward a tier twice.
    await s.advance('1h');
    await buy(email, 'o4', 500);
    await s.advance('1h');
    expect(subjects(email).filter((x) => x.startsWith('Thank you, Sol'))).toHaveLength(3);
    expect(await s.fx.tdb.db.coupon.count({ where: { contactId: contact.id } })).toBe(3);
  });

  it('a rejected platinum reward moves the tier without a coupon', async () => {
    const email = 'big@example.com';
    await buy(email, 'b1', 1200);
    await s.advance('5m'); // silver, gold, then the approval
    const approval = await vi.waitFor(
      async () => {
        const a = await s.fx.tdb.db.approval.findFirst({ where: { contact: { email } } });
        expect(a).not.toBeNull();
        return a!;
      },
      { timeout: 10_000 },
    );
    await s.api(`/v1/approvals/${approval.id}/decision`, { decision: 'reject', by: 'maria@rapport.example' });
    const run = s.env.client.workflow.getHandle(journeyWorkflowId('spend_rewards', approval.contactId));
    expect(await run.result()).toBe('completed');
    const c = await s.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: approval.contactId } });
    expect(c.tier).toBe('platinum');
    expect((await s.fx.tdb.db.coupon.findMany({ where: { contactId: c.id } })).map((x) => x.reason)).toEqual([
      'Silver tier reward',
      'Gold tier reward',
    ]);
  });
});

describe('after purchases', () => {
  it('asks for feedback three days after each order, and says "we miss you" after twice the usual interval', async () => {
    const email = 'regular@example.com';
    await s.api('/v1/contacts', { email, firstName: 'Reg' });
    await buy(email, 'r1', 20);
    await s.advance('3d');
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'How was your order, Reg?');
    await s.advance('7d'); // day 10
    await buy(email, 'r2', 20);
    await s.advance('10d'); // day 20
    await buy(email, 'r3', 20);
    // Usual interval 10 days: due on day 20 + 2 x 10 = day 40.
    await s.advance('19d'); // day 39
    expect(subjects(email)).not.toContain('We miss you, Reg');
    expect(subjects(email).filter((x) => x === 'How was your order, Reg?')).toHaveLength(3);
    await s.advance('2d'); // day 41
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'We miss you, Reg');
  });
});
