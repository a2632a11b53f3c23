// Property test: on generated contacts and events (real PostgreSQL), the SQL
// compiler (segments) and the evaluator (journeys) pick the same people for
// generated conditions, and most generated conditions pick someone but not
// everyone, so agreement is not only on the empty set.
import type { Contact, Prisma } from '@prisma/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../journeys/conditions';
import { conditionSchema, type Condition } from '../../journeys/schema';
import { segmentContactIds } from '../../segments/service';
import { freshDatabase, type TestDb } from '../support/db';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const SEED = 20261202;
const TIERS = ['bronze', 'silver', 'gold'];
const TAGS = ['vip', 'beta', 'new'];
const PATHS = ['/pricing', '/blog'];

const contactArb = fc.record({
  tier: fc.option(fc.constantFrom(...TIERS), { nil: null }),
  purchaseCount: fc.integer({ min: 0, max: 5 }),
  tags: fc.subarray(TAGS),
  attributes: fc.record({ n: fc.integer({ min: 0, max: 5 }), s: fc.constantFrom('a', 'b', 'ab') }, { requiredKeys: [] }),
  events: fc.array(
    fc.oneof(
      fc.record({
        type: fc.constant('purchase'),
        properties: fc.record({ amount: fc.integer({ min: 0, max: 500 }) }),
        daysAgo: fc.integer({ min: 0, max: 100 }),
      }),
      fc.record({
        type: fc.constant('page_viewed'),
        properties: fc.record({ path: fc.constantFrom(...PATHS) }),
        daysAgo: fc.integer({ min: 0, max: 100 }),
      }),
    ),
    { maxLength: 5 },
  ),
});

const small = fc.integer({ min: 0, max: 5 });
const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ field: fc.constant('tier'), op: fc.constantFrom('eq', 'neq', 'exists', 'not_exists'), value: fc.constantFrom(...TIERS) }),
  fc.record({ field: fc.constant('tier'), op: fc.constant('in'), value: fc.subarray(TIERS, { minLength: 1 }) }),
  fc.record({
    field: fc.constantFrom('purchaseCount', 'attributes.n'),
    op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'),
    value: small,
  }),
  fc.record({
    field: fc.constant('attributes.s'),
    op: fc.constantFrom('eq', 'contains', 'exists', 'not_exists', 'gt'),
    value: fc.constantFrom('a', 'b'),
  }),
  fc.record({ field: fc.constant('tags'), op: fc.constant('contains'), value: fc.constantFrom(...TAGS) }),
  fc.record(
    {
      event: fc.constant('purchase'),
      within: fc.constantFrom('7d', '30d', '90d'),
      count: fc.record({ gte: fc.integer({ min: 0, max: 3 }) }),
      sum: fc.record({ property: fc.constant('amount'), gt: fc.integer({ min: 0, max: 800 }) }),
    },
    { requiredKeys: ['event'] },
  ),
  fc.record(
    {
      event: fc.constant('page_viewed'),
      where: fc.record({ path: fc.constantFrom(...PATHS) }),
      within: fc.constantFrom('7d', '30d', '90d'),
    },
    { requiredKeys: ['event'] },
  ),
);
const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('c') }),
  ),
})).c;

let t: TestDb;
const contacts: Contact[] = [];
beforeAll(async () => {
  t = await freshDatabase('segments_props');
  const people = fc.sample(contactArb, { seed: SEED, numRuns: 30 });
  for (const [i, p] of people.entries()) {
    const c = await t.db.contact.create({
      data: { email: `p${i}@example.com`, tier: p.tier, purchaseCount: p.purchaseCount, tags: p.tags, attributes: p.attributes },
    });
    for (const [j, e] of p.events.entries()) {
      await t.db.event.create({
        data: {
          idempotencyKey: `p:${i}:${j}`,
          source: 'test',
          type: e.type,
          contactId: c.id,
          properties: e.properties as Prisma.InputJsonObject,
          occurredAt: new Date(NOW.getTime() - e.daysAgo * 86_400_000 - 3_600_000),
        },
      });
    }
    contacts.push(c);
  }
});
afterAll(() => t?.close());

describe('segments SQL against the journey evaluator', () => {
  it('pick the same people for generated conditions, and usually someone', async () => {
    let selective = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(condition, async (raw) => {
        const cond = conditionSchema.parse(raw);
        const sql = await segmentContactIds(t.db, cond, NOW);
        const js: string[] = [];
        for (const c of contacts) if ((await evaluateCondition(t.db, c, cond, {}, NOW)).result) js.push(c.id);
        expect(sql.sort(), JSON.stringify(cond)).toEqual(js.sort());
        runs++;
        if (sql.length > 0 && sql.length < contacts.length) selective++;
      }),
      { seed: SEED, numRuns: 120 },
    );
    // Most cases select some but not all contacts: agreement is tested where it matters.
    expect(selective / runs).toBeGreaterThan(0.5);
  });
});
