// Segments are evaluated in SQL; journeys evaluate the same conditions in
// JavaScript (journeys/conditions.ts). On the same contacts and events, both
// must pick exactly the same people: the named examples, every operator on
// every kind of field, and random combinations of them.
import type { Contact, Prisma } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../journeys/conditions';
import { CONTACT_FIELDS, conditionSchema, type Condition } from '../../journeys/schema';
import { SEGMENT_FIELDS, segmentIssues } from '../../segments/compile';
import { segmentBodySchema, segmentContactIds, segmentCount } from '../../segments/service';
import { freshDatabase, type TestDb } from '../support/db';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

let t: TestDb;
const people: Record<string, Contact> = {};

async function person(name: string, data: Partial<Prisma.ContactCreateInput>, events: [string, Record<string, unknown>, number][] = []) {
  const c = await t.db.contact.create({ data: { email: `${name}@example.com`, firstName: name, ...data } });
  let n = 0;
  for (const [type, properties, ago] of events) {
    await t.db.event.create({
      data: {
        idempotencyKey: `test:${name}:${++n}`,
        source: 'test',
        type,
        contactId: c.id,
        properties: properties as Prisma.InputJsonObject,
        occurredAt: daysAgo(ago),
      },
    });
  }
  people[name] = c;
}

beforeAll(async () => {
  t = await freshDatabase('segments_sql');
  await person(
    'ada',
    {
      tier: 'gold',
      tags: ['vip', 'beta'],
      lifetimeSpendCents: 120_000n,
      purchaseCount: 3,
      attributes: { drink: 'tea', seats: 12, plan: 'pro', renewal: '2026-09-01' },
      lastClickAt: daysAgo(3),
      lastPurchaseAt: daysAgo(10),
      marketingConsent: true,
    },
    [
      ['purchase', { amount: 300, currency: 'USD' }, 10],
      ['purchase', { amount: 250.5 }, 40],
      ['purchase', { amount: 900 }, 200],
      ['page_viewed', { path: '/pricing' }, 1],
      ['page_viewed', { path: '/pricing' }, 2],
      ['email_clicked', { template: 'newsletter', sendId: 'x' }, 3],
      ['webinar_attended', { webinar: 'spring-launch' }, 20],
    ],
  );
  await person(
    'bob',
    {
      tier: 'silver',
      tags: ['beta'],
      lifetimeSpendCents: 45_050n,
      purchaseCount: 1,
      attributes: { drink: 'coffee', seats: 3, nested: { a: 1 } },
      company: 'Acme Corp',
    },
    [
      ['purchase', { amount: 450.5 }, 5],
      ['page_viewed', { path: '/pricing' }, 1],
      ['page_viewed', { path: '/pricing' }, 30],
      ['page_viewed', { path: '/blog' }, 2],
      ['email_clicked', { template: 'welcome', sendId: 'y' }, 4],
    ],
  );
  await person(
    'cy',
    { tags: [], attributes: { drink: null, seats: '12', list: ['a', 'b', 3] }, lastClickAt: null, newslettersSinceLastClick: 4 },
    [
      ['purchase', { amount: 600 }, 100],
      ['purchase', { amount: 'lots' }, 3],
      ['webinar_attended', { webinar: 'autumn' }, 60],
      ['page_viewed', { path: '/pricing', ref: { campaign: 'spring' } }, 6],
    ],
  );
  await person(
    'dee',
    {
      tier: 'gold',
      lifetimeSpendCents: 50_000n,
      newslettersSinceLastClick: 7,
      timeZone: 'Europe/Paris',
      currency: 'EUR',
      attributes: { seats: 12.0, renewal: 'soon' },
      ownerEmail: 'rep@example.com',
    },
    [
      ['purchase', { amount: 200 }, 1],
      ['purchase', { amount: 301 }, 2],
      ['page_viewed', { path: ['/pricing'] }, 1],
      ['page_viewed', { path: '/pricing' }, 8],
    ],
  );
  await person('eve', { lastName: "O'Brien", company: 'Beta; DROP TABLE contacts; --', attributes: { "we'ird": 'x', flag: true } }, [
    ['webinar_attended', { webinar: 'spring-launch', minutes: 45 }, 1],
    ['email_clicked', { template: 'newsletter-reengage', sendId: 'z' }, 50],
  ]);
  await person('fay', { deletedAt: daysAgo(1), tier: 'gold', lifetimeSpendCents: 999_900n }, [
    ['purchase', { amount: 5000 }, 1],
    ['webinar_attended', { webinar: 'spring-launch' }, 1],
  ]);
  await person('gus', { createdAt: daysAgo(400), lastOpenAt: daysAgo(1), attributes: { seats: 0 } });
});
afterAll(() => t?.close());

async function jsIds(cond: Condition): Promise<string[]> {
  const contacts = await t.db.contact.findMany({ where: { deletedAt: null }, orderBy: { id: 'asc' } });
  const out: string[] = [];
  for (const c of contacts) if ((await evaluateCondition(t.db, c, cond, {}, NOW)).result) out.push(c.id);
  return out.sort();
}
const names = (ids: string[]) =>
  Object.entries(people)
    .filter(([, c]) => ids.includes(c.id))
    .map(([n]) => n)
    .sort();

async function agree(cond: Condition): Promise<string[]> {
  const parsed = conditionSchema.parse(cond);
  const [sql, js] = await Promise.all([segmentContactIds(t.db, parsed, NOW), jsIds(parsed)]);
  expect(names(sql), JSON.stringify(cond)).toEqual(names(js));
  return names(sql);
}

const NEWSLETTER_TEMPLATES = ['newsletter', 'newsletter-reengage', 'newsletter-last-chance'];

describe('segments in SQL', () => {
  it('find the examples marketers ask for', async () => {
    expect(await agree({ event: 'purchase', within: '90d', sum: { property: 'amount', gt: 500 } })).toEqual(['ada', 'dee']);
    expect(await agree({ event: 'page_viewed', where: { path: '/pricing' }, within: '7d', count: { gte: 2 } })).toEqual(['ada']);
    // "Never clicked a newsletter": no click on an email sent with a newsletter template.
    expect(await agree({ not: { event: 'email_clicked', where: { template: NEWSLETTER_TEMPLATES } } })).toEqual([
      'bob',
      'cy',
      'dee',
      'gus',
    ]);
    expect(await agree({ event: 'webinar_attended', where: { webinar: 'spring-launch' } })).toEqual(['ada', 'eve']);
    expect(await segmentCount(t.db, { event: 'webinar_attended' }, NOW)).toBe(3); // never the deleted contact
  });

  it('agree with the journey evaluator on every operator and kind of field', async () => {
    const fields: [string, unknown[]][] = [
      ['tier', ['gold', 'silver', null, 3, ['gold', 'silver'], ['gold', null], 'go']],
      ['email', ['ada@example.com', 'example', 'b', 'ada@example.com']],
      ['company', ['Acme Corp', 'Acme', 'Beta; DROP TABLE contacts; --', null]],
      ['lastName', ["O'Brien", "'", null]],
      ['timeZone', ['UTC', 'Europe/Paris']],
      ['tags', ['vip', 'beta', 'nope', 1, null]],
      ['lifetimeSpend', [1200, 450.5, 500, 0, '1200', [1200, 500], null]],
      ['purchaseCount', [1, 3, 0, [0, 1]]],
      ['newslettersSinceLastClick', [4, 5, 0]],
      ['marketingConsent', [true, false, 'true', [true]]],
      [
        'lastClickAt',
        [daysAgo(3).toISOString(), daysAgo(3.5).toISOString(), '2026-06-01', 'not a date', null, [daysAgo(3).toISOString()], 1],
      ],
      ['lastPurchaseAt', ['2026-05-01T00:00:00Z', daysAgo(10).toISOString(), null]],
      ['createdAt', ['2025-06-01', NOW.toISOString()]],
      ['lastOpenAt', [null, '2026-06-13']],
      ['ownerEmail', ['rep@example.com', null]],
      ['attributes.drink', ['tea', 'coffee', null, 'te', ['tea', null], ['coffee', 'tea']]],
      ['attributes.seats', [12, '12', 3, 0, 12.5, [12, 3], [0, '12'], null]],
      ['attributes.plan', ['pro', null, 'p']],
      ['attributes.renewal', ['2026-08-01', '2026-10-01', 'soon', 'sooner', 'a']],
      ['attributes.list', ['a', 3, 'c', '3']],
      ['attributes.nested', [null, 1]],
      ['attributes.flag', [true, false, 'true']],
      ["attributes.we'ird".replace("'", ''), ['x']],
      ['attributes.missing', [null, 1, 'x']],
    ];
    const ops = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists', 'not_exists'] as const;
    let checked = 0;
    for (const [field, values] of fields) {
      for (const op of ops) {
        for (const value of op === 'exists' || op === 'not_exists' ? [undefined] : values) {
          const cond = (value === undefined ? { field, op } : { field, op, value }) as Condition;
          if (!conditionSchema.safeParse(cond).success) continue;
          await agree(cond);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('agree on event conditions: filters, windows, counts and sums', async () => {
    const conds: Condition[] = [
      { event: 'purchase' },
      { event: 'purchase', within: '7d' },
      { event: 'purchase', count: { gte: 2 } },
      { event: 'purchase', count: { eq: 0 } },
      { event: 'purchase', count: { lte: 1 } },
      { event: 'purchase', count: { gte: 1, lte: 2 } },
      { event: 'purchase', sum: { property: 'amount', gte: 600 } },
      { event: 'purchase', sum: { property: 'amount', eq: 450.5 } },
      { event: 'purchase', sum: { property: 'amount', lt: 100 } },
      { event: 'purchase', within: '30d', sum: { property: 'amount', gt: 450, lte: 501 } },
      { event: 'purchase', count: { gte: 2 }, sum: { property: 'amount', gt: 1000 } },
      { event: 'purchase', where: { currency: 'USD' } },
      { event: 'page_viewed', where: { path: ['/pricing', '/blog'] }, count: { gte: 3 } },
      { event: 'page_viewed', where: { path: '/pricing' }, within: '7d', count: { eq: 1 } },
      { event: 'page_viewed', where: { 'ref.campaign': 'spring' } },
      { event: 'page_viewed', where: { ref: null } },
      { event: 'page_viewed', where: { path: [] }, count: { eq: 0 } },
      { event: 'webinar_attended', where: { minutes: 45 } },
      { event: 'webinar_attended', sum: { property: 'minutes', gt: 0 } },
      { event: 'email_clicked', within: '30d' },
    ];
    for (const c of conds) await agree(c);
  });

  it('agree on random combinations (all / any / not)', async () => {
    const leaves: Condition[] = [
      { field: 'tier', op: 'eq', value: 'gold' },
      { field: 'tags', op: 'contains', value: 'beta' },
      { field: 'lifetimeSpend', op: 'gte', value: 450 },
      { field: 'attributes.seats', op: 'gte', value: 12 },
      { field: 'attributes.drink', op: 'exists' },
      { field: 'lastClickAt', op: 'not_exists' },
      { field: 'company', op: 'neq', value: 'Acme Corp' },
      { event: 'purchase', within: '90d', sum: { property: 'amount', gt: 500 } },
      { event: 'page_viewed', where: { path: '/pricing' }, within: '7d', count: { gte: 2 } },
      { event: 'webinar_attended' },
      { event: 'email_clicked', where: { template: NEWSLETTER_TEMPLATES } },
    ];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const gen = (depth: number): Condition => {
      const k = depth === 0 ? 0 : rand(4);
      if (k === 0) return leaves[rand(leaves.length)]!;
      if (k === 3) return { not: gen(depth - 1) };
      const parts = Array.from({ length: 1 + rand(3) }, () => gen(depth - 1));
      return k === 1 ? { all: parts } : { any: parts };
    };
    for (let i = 0; i < 60; i++) await agree(gen(3));
  });

  it('has SQL for every contact field conditions may name', () => {
    expect(CONTACT_FIELDS.filter((f) => !(f in SEGMENT_FIELDS))).toEqual([]);
  });

  it('refuses conditions that only make sense inside a journey run', () => {
    expect(
      segmentIssues({
        any: [
          { field: 'tier', op: 'eq', value: 'x' },
          { field: 'steps.check.status', op: 'eq', value: 200 },
        ],
      }),
    ).toEqual([{ path: ['any', 1, 'field'], message: 'webhook step results exist only inside a journey run, not in segments' }]);
    const bad = segmentBodySchema.safeParse({ name: 'x', condition: { not: { field: 'steps.a.status', op: 'eq', value: 1 } } });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['condition.not.field']);
    expect(
      segmentBodySchema.safeParse({
        name: 'Big spenders',
        condition: { event: 'purchase', within: '90d', sum: { property: 'amount', gt: 500 } },
      }).success,
    ).toBe(true);
  });
});
