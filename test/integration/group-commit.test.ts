// Group commit of one-statement events (events/group-commit.ts) against real
// PostgreSQL: concurrent requests are committed together, and one failing
// statement neither loses its neighbours' events nor takes their answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createGroupCommitPool, GroupCommit } from '../../events/group-commit';
import { ingestEvent } from '../../events/ingest';
import type { EventInput } from '../../events/schema';
import { UnavailableError } from '../../lib/errors';
import { storeEvents } from '../../server/routes/events';
import { freshDatabase, type TestDb } from '../support/db';

let t: TestDb;
let pool: pg.Pool;
let group: GroupCommit;
beforeAll(async () => {
  t = await freshDatabase('it_group_commit');
  // One connection: whatever arrives while it is busy is committed as one group.
  pool = createGroupCommitPool(t.url, 1, () => undefined);
  group = new GroupCommit(pool, { connections: 1, maxGroup: 32 });
});
afterAll(async () => {
  await pool?.end();
  await t?.close();
});

const ev = (id: string, contact: EventInput['contact'], extra: Partial<EventInput> = {}): EventInput => ({
  id,
  type: 'page_viewed',
  contact,
  properties: {},
  ...extra,
});

describe('group commit', () => {
  it('stores every event of many concurrent requests, in groups, with the same effects as one at a time', async () => {
    const before = { ...group.stats };
    const inputs = Array.from({ length: 120 }, (_, i) =>
      ev(`many-${i}`, { email: `many${i % 30}@example.com`, attributes: { plan: `p${i % 30}` } }),
    );
    const results = await Promise.all(inputs.map((input) => ingestEvent(t.db, 'api', input, group)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(await t.db.event.count({ where: { idempotencyKey: { startsWith: 'api:many-' } } })).toBe(120);
    expect(await t.db.contact.count({ where: { email: { startsWith: 'many' } } })).toBe(30);
    // Each contact once, with its events: the results name the stored rows.
    const stored = await t.db.event.findMany({ where: { idempotencyKey: { startsWith: 'api:many-' } } });
    const byKey = new Map(stored.map((e) => [e.idempotencyKey, e]));
    for (const [i, r] of results.entries()) {
      expect(byKey.get(`api:many-${i}`)).toMatchObject({ id: r.eventId, contactId: r.contactId });
    }
    // The attribute changed once per contact (the first event set it), not once per event.
    expect(await t.db.event.count({ where: { type: 'attribute_changed', contactId: { in: results.map((r) => r.contactId) } } })).toBe(30);
    const groups = group.stats.groups - before.groups;
    expect(group.stats.statements - before.statements).toBe(120);
    expect(groups).toBeLessThan(120 / 2);
  });

  it('answers a repeat within one group as a duplicate of the stored event', async () => {
    const results = await Promise.all([1, 2, 3].map(() => ingestEvent(t.db, 'api', ev('same-key', { email: 'same@example.com' }), group)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
    expect(await t.db.event.count({ where: { idempotencyKey: 'api:same-key' } })).toBe(1);
  });

  it('keeps the neighbours of a failing statement, stored once, and gives each request its own answer', async () => {
    const before = { ...group.stats };
    const good = Array.from({ length: 10 }, (_, i) => ev(`nb-${i}`, { email: `nb${i}@example.com`, attributes: { n: i } }));
    const unknown = ev('nb-unknown', { externalId: 'nobody' });
    const answers = await Promise.allSettled([
      ...good.slice(0, 5).map((input) => storeEvents(t.db, 'api', input, group)),
      // A statement that fails in PostgreSQL (22012) in the middle of the group rolls all of it back.
      group.run({ text: 'SELECT 1 / 0', values: [] }, 'nb5@example.com'),
      storeEvents(t.db, 'api', unknown, group),
      ...good.slice(5).map((input) => storeEvents(t.db, 'api', input, group)),
    ]);
    expect(group.stats.fallbacks).toBe(before.fallbacks + 1);
    const statusOf = (a: PromiseSettledResult<unknown>) =>
      a.status === 'fulfilled' ? (a.value as { status: number }).status : ((a.reason as { status?: number }).status ?? 'thrown');
    expect(answers.map(statusOf)).toEqual([202, 202, 202, 202, 202, 'thrown', 404, 202, 202, 202, 202, 202]);
    expect(((answers[5] as PromiseRejectedResult).reason as { code?: string }).code).toBe('22012');
    expect(await t.db.event.count({ where: { idempotencyKey: { startsWith: 'api:nb-' } } })).toBe(10);
    // Rolled back, then stored alone: each contact's attribute recorded once.
    const contacts = await t.db.contact.findMany({ where: { email: { startsWith: 'nb' } }, select: { id: true } });
    expect(contacts).toHaveLength(10);
    expect(await t.db.event.count({ where: { type: 'attribute_changed', contactId: { in: contacts.map((c) => c.id) } } })).toBe(10);
  });

  it('answers 503 (unavailable), storing nothing, when the database cannot be reached', async () => {
    const u = new URL(t.url);
    u.port = '1';
    const dead = createGroupCommitPool(u.toString(), 1, () => undefined);
    try {
      const g = new GroupCommit(dead, { connections: 1, maxGroup: 32 });
      await expect(ingestEvent(t.db, 'api', ev('dead-1', { email: 'dead@example.com' }), g)).rejects.toBeInstanceOf(UnavailableError);
      expect(await t.db.event.count({ where: { idempotencyKey: 'api:dead-1' } })).toBe(0);
    } finally {
      await dead.end();
    }
  });
});
