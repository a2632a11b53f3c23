// Keys named like Object.prototype members, through the HTTP API on a real
// server (in this process, so a polluted prototype would show here) and
// PostgreSQL. As the README's input rules say: `constructor`, `toString`,
// `hasOwnProperty` (and the like) are data, stored and read back as given;
// `__proto__` is refused with a 400 naming it (plain objects would drop it).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../lib/webhook-signature';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET } from '../support/env';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack('it_proto_names');
  await s.startServer();
});
afterAll(() => s?.close());

// Nothing anywhere may have reached Object.prototype.
afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(typeof {}.toString).toBe('function');
  expect({}.constructor).toBe(Object);
});

/** JSON text as sent (JSON.stringify of an object literal would lose a "__proto__" key). */
const post = async (path: string, raw: string) => {
  const res = await fetch(`${s.server!.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const webhook = async (raw: string) => {
  const res = await fetch(`${s.server!.url}/webhooks/shop`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'rapport-signature': signWebhook(TEST_WEBHOOK_SECRET, raw) },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const paths = (r: { body: Record<string, any> }) => (r.body.error.details as { path: string }[]).map((d) => d.path);

const NAMES = {
  constructor: 'built',
  toString: 'text',
  hasOwnProperty: { own: true },
  valueOf: 7,
  // Data that would pollute if it were merged into a plain object the unsafe way.
  prototype: { polluted: 'via prototype' },
};

describe('contact attributes named like Object.prototype members', () => {
  it('are stored and read back as plain data, on create and on update', async () => {
    const created = await post('/v1/contacts', JSON.stringify({ email: 'proto@example.com', attributes: NAMES }));
    expect(created.status).toBe(201);
    expect(created.body.contact.attributes).toEqual(NAMES);
    const id = created.body.contact.id as string;
    expect((await s.api(`/v1/contacts/${id}`)).body.contact.attributes).toEqual(NAMES);

    // Merged: a value replaces, null removes, the rest stays.
    const updated = await post(
      '/v1/contacts',
      JSON.stringify({ email: 'proto@example.com', attributes: { constructor: { prototype: { polluted: 'yes' } }, toString: null } }),
    );
    expect(updated.status).toBe(200);
    const { toString: _removed, ...kept } = NAMES;
    const expected = { ...kept, constructor: { prototype: { polluted: 'yes' } } };
    expect(updated.body.contact.attributes).toEqual(expected);
    expect((await s.api(`/v1/contacts/${id}`)).body.contact.attributes).toEqual(expected);
    const row = await s.tdb.db.contact.findUniqueOrThrow({ where: { id } });
    expect(row.attributes).toEqual(expected);

    // And they count in segments as the data they are.
    for (const [key, condition, n] of [
      ['proto-hasown', { field: 'attributes.hasOwnProperty', op: 'exists' }, 1],
      ['proto-tostring', { field: 'attributes.toString', op: 'exists' }, 0],
      ['proto-valueof', { field: 'attributes.valueOf', op: 'eq', value: 7 }, 1],
    ] as const) {
      const seg = await post(`/v1/segments/${key}`, JSON.stringify({ name: key, condition }));
      expect(seg.status, JSON.stringify(seg.body)).toBe(201);
      const count = await s.api(`/v1/segments/${key}/count`);
      expect(count.status).toBe(200);
      expect(count.body.count, key).toBe(n);
    }
  });

  it('refuse "__proto__" with a 400 naming it, at any depth, and store nothing', async () => {
    for (const [raw, field] of [
      ['{"email":"proto2@example.com","attributes":{"__proto__":{"polluted":"yes"}}}', 'attributes.__proto__'],
      ['{"email":"proto2@example.com","attributes":{"a":{"b":{"__proto__":{"polluted":"yes"}}}}}', 'attributes.a.b.__proto__'],
    ]) {
      const r = await post('/v1/contacts', raw!);
      expect(r.status).toBe(400);
      expect(paths(r)).toEqual([field]);
    }
    expect(await s.tdb.db.contact.count({ where: { email: 'proto2@example.com' } })).toBe(0);
  });
});

describe('event properties named like Object.prototype members', () => {
  it('are stored and read back as plain data, through the API and signed webhooks, with the contact attributes they carry', async () => {
    const ids = { api: 'proto-api-1', webhook: 'proto-hook-1' };
    const body = (id: string) =>
      JSON.stringify({ id, type: 'proto_probe', contact: { email: 'props@example.com', attributes: NAMES }, properties: NAMES });
    const viaApi = await post('/v1/events', body(ids.api));
    expect(viaApi.status, JSON.stringify(viaApi.body)).toBe(202);
    const viaHook = await webhook(body(ids.webhook));
    expect(viaHook.status, JSON.stringify(viaHook.body)).toBe(202);

    const contactId = viaApi.body.contactId as string;
    const timeline = await s.api(`/v1/contacts/${contactId}/timeline`);
    const events = (timeline.body.entries as { kind: string; type: string; properties: unknown }[]).filter(
      (e) => e.kind === 'event' && e.type === 'proto_probe',
    );
    expect(events.map((e) => e.properties)).toEqual([NAMES, NAMES]);
    const stored = await s.tdb.db.event.findMany({ where: { type: 'proto_probe' }, select: { properties: true } });
    expect(stored.map((e) => e.properties)).toEqual([NAMES, NAMES]);
    expect((await s.api(`/v1/contacts/${contactId}`)).body.contact.attributes).toEqual(NAMES);
  });

  it('refuse "__proto__" in properties and in the contact with a 400 naming it, through the API and signed webhooks', async () => {
    for (const [raw, field] of [
      [
        '{"id":"p1","type":"proto_probe","contact":{"email":"props2@example.com"},"properties":{"__proto__":{"polluted":"yes"}}}',
        'properties.__proto__',
      ],
      [
        '{"id":"p2","type":"proto_probe","contact":{"email":"props2@example.com"},"properties":{"items":[{"__proto__":{"polluted":"yes"}}]}}',
        'properties.items.0.__proto__',
      ],
      [
        '{"id":"p3","type":"proto_probe","contact":{"email":"props2@example.com","attributes":{"__proto__":{"polluted":"yes"}}}}',
        'contact.attributes.__proto__',
      ],
    ]) {
      for (const r of [await post('/v1/events', raw!), await webhook(raw!)]) {
        expect(r.status, raw).toBe(400);
        expect(paths(r)).toEqual([field]);
      }
    }
    expect(await s.tdb.db.event.count({ where: { contact: { email: 'props2@example.com' } } })).toBe(0);
    expect(await s.tdb.db.contact.count({ where: { email: 'props2@example.com' } })).toBe(0);
  });
});
