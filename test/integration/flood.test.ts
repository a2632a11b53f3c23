// A flood of signed webhooks against a small pool: every request gets 202 or
// 429 with Retry-After (never a 500), every 202 event is stored, and a sender
// that retries its 429s gets every event stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pMap from 'p-map';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack('it_flood', {
    serverOverrides: { DATABASE_POOL_SIZE: '3', INGEST_CONCURRENCY: '2', INGEST_QUEUE_LIMIT: '8', INGEST_MAX_WAIT_MS: '300' },
  });
  await s.startServer();
});
afterAll(() => s?.close());

const N = 300;
const event = (i: number) => ({
  id: `flood-${i}`,
  type: 'page_viewed',
  contact: { email: `flood${i % 40}@example.com` },
  properties: { path: `/p/${i}` },
});

describe('a flood of webhooks', () => {
  it('answers 202 or 429 with Retry-After, and stores exactly what it accepted', async () => {
    const statuses = await pMap(
      Array.from({ length: N }, (_, i) => i),
      async (i) => {
        const r = await s.webhook('shop', event(i));
        return { i, status: r.status, body: r.body };
      },
      { concurrency: 100 },
    );
    const counts = new Map<number, number>();
    for (const r of statuses) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    expect([...counts.keys()].every((st) => st === 202 || st === 429)).toBe(true);
    expect(counts.get(429) ?? 0).toBeGreaterThan(0); // the bound was reached, so the test means something
    const refused = statuses.filter((r) => r.status === 429);
    expect(refused[0]!.body.error.code).toBe('overloaded');
    const accepted = statuses.filter((r) => r.status === 202).length;
    expect(await s.tdb.db.event.count({ where: { source: 'webhook:shop' } })).toBe(accepted);

    // The sender retries what was refused, one at a time: all land, none twice.
    for (const r of refused) {
      let res = await s.webhook('shop', event(r.i));
      while (res.status === 429) res = await s.webhook('shop', event(r.i));
      expect(res.status).toBe(202);
    }
    expect(await s.tdb.db.event.count({ where: { source: 'webhook:shop' } })).toBe(N);
  });

  it('sends Retry-After with a 429', async () => {
    const raw = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${s.server!.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.env.raw.RAPPORT_API_KEYS}`, 'content-type': 'application/json' },
          body: JSON.stringify(event(1000 + i)),
        }),
      ),
    );
    const refused = raw.filter((r) => r.status === 429);
    expect(raw.every((r) => r.status === 202 || r.status === 429)).toBe(true);
    for (const r of refused) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('probes', () => {
  it('answers liveness and readiness without needing Temporal', async () => {
    const live = await s.api('/health/live', { key: null });
    expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await s.api('/health/ready', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', database: { ok: true } });
    expect(ready.body.temporal).toBeUndefined();
  });
});
