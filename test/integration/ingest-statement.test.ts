// The one-statement ingest path (events/ingest.ts) against real PostgreSQL:
// the same contact record and events as the general transaction, repeats as
// no-ops, and the races of concurrent requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact } from '@prisma/client';
import pg from 'pg';
import { upsertContact } from '../../contacts/service';
import { ingestEvent, ingestInTransaction, singleStatementEligible, UnknownContactError } from '../../events/ingest';
import type { EventInput } from '../../events/schema';
import { storeEvents } from '../../server/routes/events';
import { freshDatabase, type TestDb } from '../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDatabase('it_ingest_statement');
});
afterAll(() => t?.close());

const ev = (id: string, contact: EventInput['contact'], extra: Partial<EventInput> = {}): EventInput => ({
  id,
  type: 'signed_up',
  contact,
  properties: {},
  ...extra,
});

/** What a contact record says, without what differs by construction (id, email, times). */
function profile(c: Contact) {
  const { id: _i, email: _e, createdAt: _c, updatedAt: _u, consentUpdatedAt, ...rest } = c;
  return { ...rest, consentUpdated: consentUpdatedAt !== null };
}

async function attributeEvents(contactId: string) {
  const rows = await t.db.event.findMany({ where: { contactId, type: 'attribute_changed' } });
  return rows
    .map((r) => ({ key: r.idempotencyKey.replace(/^system:upsert:[0-9a-f-]+:/, ''), source: r.source, properties: r.properties }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

async function storedBothWays(n: string, first: Omit<EventInput['contact'], 'email'>, second: Omit<EventInput['contact'], 'email'>) {
  const a = `a-${n}@example.com`;
  const b = `b-${n}@example.com`;
  expect(singleStatementEligible(ev('x', { ...first, email: a }))).toBe(true);
  const r1 = await ingestEvent(t.db, 'api', ev(`${n}-1`, { ...first, email: a }));
  const g1 = await ingestInTransaction(t.db, 'api', ev(`${n}-1`, { ...first, email: b }));
  const r2 = await ingestEvent(t.db, 'api', ev(`${n}-2`, { ...second, email: a }));
  const g2 = await ingestInTransaction(t.db, 'api', ev(`${n}-2`, { ...second, email: b }));
  expect(r2.contactId).toBe(r1.contactId);
  expect(g2.contactId).toBe(g1.contactId);
  const [ca, cb] = await Promise.all([r1, g1].map((r) => t.db.contact.findUniqueOrThrow({ where: { id: r.contactId } })));
  return { fast: ca!, general: cb!, fastEvents: await attributeEvents(r1.contactId), generalEvents: await attributeEvents(g1.contactId) };
}

describe('one-statement ingest', () => {
  it('creates and then updates a contact exactly as the general path does', async () => {
    const r = await storedBothWays(
      'same',
      {
        firstName: 'Ada',
        timeZone: 'Europe/London',
        tags: ['vip'],
        marketingConsent: true,
        attributes: { plan: 'pro', seats: 3, nested: { a: [1, 2] } },
      },
      { lastName: 'Lovelace', company: 'Engines', currency: 'EUR', attributes: { plan: 'team', seats: null, fresh: true } },
    );
    expect(profile(r.fast)).toEqual(profile(r.general));
    expect(r.fast).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Engines',
      currency: 'EUR',
      timeZone: 'Europe/London',
      locale: 'en',
      tags: ['vip'],
      marketingConsent: true,
      attributes: { plan: 'team', nested: { a: [1, 2] }, fresh: true },
    });
    expect(r.fastEvents).toEqual(r.generalEvents);
    expect(r.fastEvents.map((e) => e.key)).toEqual(['fresh', 'nested', 'plan', 'plan', 'seats', 'seats']);
    expect(r.fastEvents).toContainEqual({ key: 'seats', source: 'system', properties: { attribute: 'seats', from: 3, to: null } });
  });

  it('keeps what an event does not name, and leaves defaults on a new contact', async () => {
    const r = await storedBothWays('defaults', {}, { tags: [], marketingConsent: false });
    expect(profile(r.fast)).toEqual(profile(r.general));
    expect(r.fast).toMatchObject({ timeZone: 'UTC', locale: 'en', currency: 'USD', tags: [], attributes: {}, marketingConsent: false });
    expect(r.fastEvents).toEqual([]);
  });

  it('undeletes nothing by mistake: a deleted contact named by id is unknown', async () => {
    const { contact } = await upsertContact(t.db, { email: 'gone@example.com' });
    await t.db.contact.update({ where: { id: contact.id }, data: { deletedAt: new Date() } });
    await expect(ingestEvent(t.db, 'api', ev('gone-1', { id: contact.id }))).rejects.toBeInstanceOf(UnknownContactError);
    await expect(ingestEvent(t.db, 'api', ev('gone-2', { externalId: 'nobody' }))).rejects.toBeInstanceOf(UnknownContactError);
    expect(await t.db.event.count({ where: { idempotencyKey: { in: ['api:gone-1', 'api:gone-2'] } } })).toBe(0);
  });

  it('stores an event for a contact named by id or externalId, once', async () => {
    const { contact } = await upsertContact(t.db, { email: 'known@example.com', externalId: 'crm-known' });
    const byId = await ingestEvent(
      t.db,
      'api',
      ev('known-1', { id: contact.id, firstName: 'ignored' }, { properties: { path: '/x' }, occurredAt: '2026-01-02T03:04:05.678+01:00' }),
    );
    expect(byId).toMatchObject({ contactId: contact.id, duplicate: false });
    const stored = await t.db.event.findUniqueOrThrow({ where: { id: byId.eventId } });
    expect(stored).toMatchObject({
      source: 'api',
      type: 'signed_up',
      properties: { path: '/x' },
      occurredAt: new Date('2026-01-02T02:04:05.678Z'),
      dispatchedAt: null,
    });
    const byExternal = await ingestEvent(t.db, 'api', ev('known-2', { externalId: 'crm-known' }));
    expect(byExternal.contactId).toBe(contact.id);
    expect(await ingestEvent(t.db, 'api', ev('known-1', { id: contact.id }))).toEqual({ ...byId, duplicate: true });
    expect((await t.db.contact.findUniqueOrThrow({ where: { id: contact.id } })).firstName).toBeNull();
  });

  it('makes a repeat a no-op: same answer, no second change to the contact', async () => {
    const first = await ingestEvent(t.db, 'api', ev('rep-1', { email: 'rep@example.com', attributes: { n: 1 } }));
    const before = await t.db.contact.findUniqueOrThrow({ where: { id: first.contactId } });
    const again = await ingestEvent(t.db, 'api', ev('rep-1', { email: 'rep@example.com', firstName: 'Changed', attributes: { n: 2 } }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await t.db.contact.findUniqueOrThrow({ where: { id: first.contactId } })).toEqual(before);
    expect(await attributeEvents(first.contactId)).toHaveLength(1);
    // Ids are scoped by source: the same id from a webhook is another event.
    expect((await ingestEvent(t.db, 'webhook:shop', ev('rep-1', { email: 'rep@example.com' }))).duplicate).toBe(false);
  });

  it('creates one contact when its first events arrive at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ingestEvent(t.db, 'api', ev(`race-${i}`, { email: 'race@example.com', attributes: { [`k${i}`]: i } })),
      ),
    );
    const ids = new Set(results.map((r) => r.contactId));
    expect(ids.size).toBe(1);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    const [contactId] = [...ids];
    expect(await t.db.contact.count({ where: { email: 'race@example.com' } })).toBe(1);
    expect(await t.db.event.count({ where: { contactId, source: 'api' } })).toBe(12);
    // Every attribute merged (none lost to a concurrent update), each change recorded once.
    const c = await t.db.contact.findUniqueOrThrow({ where: { id: contactId! } });
    expect(c.attributes).toEqual(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i])));
    expect((await attributeEvents(contactId!)).map((e) => e.key).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `k${i}`).sort());
  });

  it('runs again when another request created the contact while its statement ran', async () => {
    // The other request: the contact inserted, not yet committed.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      const { rows } = await other.query<{ id: string }>(
        "INSERT INTO contacts (id, email, first_name, updated_at) VALUES (gen_random_uuid(), 'late@example.com', 'Other', now()) RETURNING id::text",
      );
      const storing = ingestEvent(t.db, 'api', ev('late-1', { email: 'late@example.com', attributes: { seen: true } }));
      // Wait (with a deadline) until the statement waits on the other's row, then let the other commit.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [w] = await t.db.$queryRaw<
          { n: bigint }[]
        >`SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()`;
        if (Number(w!.n) > 0) break;
        if (Date.now() > deadline) throw new Error('the statement never waited for the other transaction');
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.query('COMMIT');
      const r = await storing;
      expect(r).toMatchObject({ contactId: rows[0]!.id, duplicate: false });
      const c = await t.db.contact.findUniqueOrThrow({ where: { id: rows[0]!.id } });
      expect(c).toMatchObject({ firstName: 'Other', attributes: { seen: true } });
      expect(await attributeEvents(c.id)).toEqual([
        { key: 'seen', source: 'system', properties: { attribute: 'seen', from: null, to: true } },
      ]);
      expect(await t.db.contact.count({ where: { email: 'late@example.com' } })).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('stores one event when the same delivery arrives many times at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        ingestEvent(t.db, 'api', ev('dup-race', { email: 'dup-race@example.com', attributes: { once: true } })),
      ),
    );
    expect(new Set(results.map((r) => r.eventId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await t.db.event.count({ where: { idempotencyKey: 'api:dup-race' } })).toBe(1);
    expect(await attributeEvents(results[0]!.contactId)).toHaveLength(1);
  });

  it('answers each event of a batch on its own: a repeat within it, and an unknown contact beside good ones', async () => {
    const out = await storeEvents(t.db, 'api', {
      events: [
        ev('batch-1', { email: 'batch@example.com' }),
        ev('batch-1', { email: 'batch@example.com' }),
        ev('batch-2', { externalId: 'no-such-contact' }),
        ev('batch-3', { email: 'batch@example.com' }, { type: 'page_viewed' }),
      ],
    });
    expect(out.status).toBe(207);
    const results = (out.body as { results: Record<string, unknown>[] }).results;
    expect(results[0]).toMatchObject({ id: 'batch-1', duplicate: false });
    expect(results[1]).toMatchObject({ id: 'batch-1', duplicate: true, eventId: results[0]!.eventId });
    expect(results[2]).toMatchObject({ id: 'batch-2', error: { code: 'contact_not_found', details: [{ path: 'events.2.contact' }] } });
    expect(results[3]).toMatchObject({ id: 'batch-3', duplicate: false });
    expect(await t.db.event.count({ where: { idempotencyKey: { in: ['api:batch-1', 'api:batch-2', 'api:batch-3'] } } })).toBe(2);
  });

  it('rejects a batch with invalid data before storing any of it, naming the field', async () => {
    await expect(
      storeEvents(t.db, 'api', { events: [ev('bad-1', { email: 'ok@example.com' }), { ...ev('bad-2', { email: 'not-an-email' }) }] }),
    ).rejects.toMatchObject({ status: 400, details: [{ path: 'events.1.contact.email' }] });
    expect(await t.db.event.count({ where: { idempotencyKey: { in: ['api:bad-1', 'api:bad-2'] } } })).toBe(0);
  });

  it('leaves events with effects on the contact, and email + externalId, to the general path', () => {
    expect(singleStatementEligible(ev('p', { email: 'a@example.com' }, { type: 'purchase' }))).toBe(false);
    expect(singleStatementEligible(ev('p', { email: 'a@example.com' }, { type: 'email_bounced' }))).toBe(false);
    expect(singleStatementEligible(ev('p', { email: 'a@example.com', externalId: 'x' }))).toBe(false);
    expect(singleStatementEligible(ev('p', { externalId: 'x' }))).toBe(true);
  });
});
