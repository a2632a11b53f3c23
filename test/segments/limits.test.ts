// Segments that save must count: ranges are checked when saved, and a stored
// condition that no longer parses is a clear error, not a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentBodySchema, segmentCount, storedCondition, StoredConditionError } from '../../segments/service';
import { startBareApp, type BareApp } from '../support/bare-app';
import { freshDatabase, type TestDb } from '../support/db';

let t: TestDb;
let app: BareApp;
beforeAll(async () => {
  t = await freshDatabase('seg_limits');
  await t.db.contact.create({ data: { email: 'l@example.com' } });
  app = await startBareApp({ db: t.db });
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const body = (condition: unknown) => ({ name: 'n', condition });

describe('segment ranges', () => {
  it.each([
    ['condition.within', { event: 'purchase', within: '99999999999w' }],
    ['condition.within', { event: 'purchase', within: '260000w' }],
    ['condition.sum.gt', { event: 'purchase', sum: { property: 'amount', gt: 1e300 } }],
    ['condition.sum.lte', { event: 'purchase', sum: { property: 'amount', lte: -1e20 } }],
    ['condition.count.gte', { event: 'purchase', count: { gte: 1e20 } }],
    ['condition.all.0.count.eq', { all: [{ event: 'purchase', count: { eq: 2147483648 } }] }],
  ])('refuses %s out of range at save time', (path, condition) => {
    const r = segmentBodySchema.safeParse(body(condition));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it.each([
    { event: 'purchase', within: '5200w' },
    { event: 'purchase', within: '36500d' },
    { event: 'purchase', sum: { property: 'amount', gt: -1e15, lt: 1e15 } },
    { event: 'purchase', count: { gte: 0, lte: 2147483647 } },
    { field: 'purchaseCount', op: 'lt', value: 1e300 },
    { field: 'attributes.n', op: 'gt', value: -1e300 },
  ])('counts what it accepts at the limits: %j', async (condition) => {
    const b = segmentBodySchema.parse(body(condition));
    expect(await segmentCount(t.db, b.condition)).toBeGreaterThanOrEqual(0);
  });
});

describe('through the API', () => {
  it('refuses at save time what could never be counted (400 naming the field)', async () => {
    const r = await app.call('POST', '/v1/segments/huge', body({ event: 'purchase', within: '260000w' }));
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d) => d.path)).toEqual(['condition.within']);
  });

  it('a stored condition that no longer parses answers 409 naming it, on count and sample', async () => {
    await t.db.segment.create({ data: { key: 'legacy', name: 'Legacy', condition: { event: 'purchase', within: '99999999999w' } } });
    expect(() => storedCondition({ event: 'purchase', within: '99999999999w' })).toThrow(StoredConditionError);
    for (const path of ['/v1/segments/legacy/count', '/v1/segments/legacy/sample']) {
      const r = await app.call('GET', path);
      expect(r.status, path).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'segment_invalid', details: [{ path: 'condition.within' }] });
      expect(r.body.error.message).toMatch(/PUT/);
    }
  });

  it('saves and counts a condition nested exactly 100 levels; one more is a 400 naming it', async () => {
    const chain = (depth: number) => `${'{"not":'.repeat(depth - 1)}{"field":"email","op":"exists"}${'}'.repeat(depth - 1)}`;
    const ok = await app.call('POST', '/v1/segments/deep-100', `{"name":"Deep","condition":${chain(100)}}`);
    expect(ok.status, ok.text).toBe(201);
    const count = await app.call('GET', '/v1/segments/deep-100/count');
    expect(count.status).toBe(200);
    expect(count.body).toMatchObject({ count: 0 }); // 99 negations of "has an email": nobody
    const deeper = await app.call('POST', '/v1/segments/deep-101', `{"name":"Deep","condition":${chain(101)}}`);
    expect(deeper.status).toBe(400);
    expect(deeper.body.error.details.map((d) => d.path)).toEqual(['condition.not']);
  });

  it('names the field inside a condition instead of "Invalid input"', async () => {
    const r = await app.call('POST', '/v1/segments/bad', body({ all: [{ field: 'purchaseCount', op: 'between', value: 1 }] }));
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d) => d.path)).toEqual(['condition.all.0.op']);
  });
});
