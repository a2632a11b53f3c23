// Hostile input is refused with a 400 naming the field, before any use case
// runs (the app here has no database: reaching it would be a 500).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../journeys/match';
import { BARE_KEY, startBareApp, type BareApp, type BareResponse } from '../support/bare-app';

let app: BareApp;
beforeAll(async () => {
  app = await startBareApp();
});
afterAll(() => app?.close());

const paths = (r: BareResponse) => r.body.error.details.map((d) => d.path);
const event = (over: Record<string, unknown> = {}) => ({ id: 'e1', type: 'signed_up', contact: { email: 'a@example.com' }, ...over });
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('malformed percent-escapes in path parameters', () => {
  it.each([
    '/u/%ZZ',
    '/preferences/%ZZ',
    '/confirm/%ZZ',
    '/a/%ZZ',
    '/t/c/%ZZ',
    '/t/o/%E0%A4%A.gif',
    '/v1/contacts/%ZZ',
    '/v1/segments/%ZZ/count',
    '/v1/templates/%ZZ',
    '/v1/journeys/%ZZ',
  ])('GET %s answers 400 in the JSON error shape', async (path) => {
    const r = await app.call('GET', path);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_path', details: [{ path: 'path' }] });
  });
});

describe('NUL bytes and lone surrogates', () => {
  it.each([
    ['firstName', { email: 'a@example.com', firstName: 'A\u0000' }],
    ['externalId', { email: 'a@example.com', externalId: '\uD800x' }],
    ['tags.0', { email: 'a@example.com', tags: ['x\uDC00'] }],
    ['attributes.note', { email: 'a@example.com', attributes: { note: 'a\u0000b' } }],
    ['attributes.list.1', { email: 'a@example.com', attributes: { list: ['ok', '\uD83D'] } }],
    ['email', { email: 'a\u0000@example.com' }],
  ])('POST /v1/contacts names %s', async (field, body) => {
    const r = await app.call('POST', '/v1/contacts', body);
    expect(r.status).toBe(400);
    expect(paths(r)).toContain(field);
  });

  it.each([
    ['id', event({ id: 'e\u0000' })],
    ['properties.path', event({ properties: { path: '/\uDFFF' } })],
    ['contact.externalId', event({ contact: { externalId: 'x\u0000' } })],
  ])('POST /v1/events and signed webhooks name %s', async (field, body) => {
    for (const r of [await app.call('POST', '/v1/events', body), await app.webhook('shop', JSON.stringify(body))]) {
      expect(r.status).toBe(400);
      expect(paths(r)).toContain(field);
    }
  });

  // Found by schemathesis: these reached PostgreSQL (a 500) before they were safe strings.
  it.each([
    ['POST', '/v1/newsletters', 'name', { name: 'N\u0000', template: 'newsletter', segment: 'readers' }],
    ['POST', '/v1/newsletters', 'template', { name: 'N', template: 'news\uD800', segment: 'readers' }],
    ['POST', '/v1/newsletter/subscriptions', 'source', { email: 'a@example.com', source: 'x\u0000' }],
    ['POST', '/v1/approvals/00000000-0000-4000-8000-000000000000/decision', 'by', { decision: 'approve', by: 'b\u0000' }],
    ['POST', '/v1/journeys/welcome/enrol', 'requestId', { contact: { email: 'a@example.com' }, requestId: 'r\u0000' }],
  ])('%s %s names %s', async (method, path, field, body) => {
    const r = await app.call(method, path, body);
    expect(r.status).toBe(400);
    expect(paths(r)).toContain(field);
  });

  it('keeps whole surrogate pairs (emoji) valid', async () => {
    const r = await app.call('POST', '/v1/events', event({ properties: { mood: '😀' }, type: 'Bad Type' }));
    expect(paths(r)).toEqual(['type']); // only the type is wrong
  });
});

describe('deep JSON', () => {
  it('refuses more than 100 levels in properties and attributes, naming the field', async () => {
    const ev = await app.call('POST', '/v1/events', event({ properties: { deep: nested(101) } }));
    expect(ev.status).toBe(400);
    expect(paths(ev)).toEqual(['properties.deep']);
    const c = await app.call('POST', '/v1/contacts', { email: 'a@example.com', attributes: { deep: nested(150) } });
    expect(c.status).toBe(400);
    expect(paths(c)).toEqual(['attributes.deep']);
  });

  it('answers 400 (not a stack overflow) for 100,000 levels, through the API and webhooks', async () => {
    const deep = `{"id":"e1","type":"t","contact":{"email":"a@example.com"},"properties":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    for (const r of [await app.call('POST', '/v1/events', deep), await app.webhook('shop', deep)]) {
      expect(r.status).toBe(400);
      expect(paths(r)).toEqual(['properties.x']);
    }
  });
});

describe('deep JSON in template preview data and segment conditions', () => {
  /** A condition of `depth` objects: `not` around `not` … around one field test. */
  const notChain = (depth: number) => `${'{"not":'.repeat(depth - 1)}{"field":"email","op":"exists"}${'}'.repeat(depth - 1)}`;

  it.each([
    ['/v1/templates/welcome/preview', {}],
    ['/v1/templates/welcome/test-send', { to: 'qa@example.com' }],
  ])('POST %s refuses data nested more than 100 levels, naming the field', async (path, rest) => {
    const r = await app.call('POST', path, { ...rest, data: { deep: nested(101) } });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['data.deep']);
    expect(r.body.error.message).toMatch(/^data\.deep: must not be nested more than 100 levels deep/);
  });

  it('POST .../preview answers 400 (not a stack overflow) for data 100,000 levels deep', async () => {
    const r = await app.call('POST', '/v1/templates/welcome/preview', `{"data":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`);
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['data.x']);
  });

  it.each(['POST', 'PUT'])('%s /v1/segments/{key} refuses a condition nested more than 100 levels, naming it', async (method) => {
    const r = await app.call(method, '/v1/segments/deep', `{"name":"Deep","condition":${notChain(101)}}`);
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['condition.not']);
    expect(r.body.error.message).toMatch(/^condition\.not: must not be nested more than 100 levels deep/);
  });

  it('POST /v1/segments/{key} answers 400 (not a stack overflow) for a condition 100,000 levels deep', async () => {
    for (const condition of [
      notChain(100_000),
      `{"all":[${'{"any":['.repeat(50_000)}{"field":"email","op":"exists"}${']}'.repeat(50_000)}]}`,
    ]) {
      const r = await app.call('POST', '/v1/segments/deep', `{"name":"Deep","condition":${condition}}`);
      expect(r.status).toBe(400);
      expect(paths(r)).toEqual([condition.startsWith('{"not"') ? 'condition.not' : 'condition.all']);
    }
  });
});

describe('integers beyond the database range', () => {
  it('template version 2147483648 is a 400 naming it, in the query and in a preview body', async () => {
    const q = await app.call('GET', '/v1/templates/welcome?version=2147483648');
    expect(q.status).toBe(400);
    expect(paths(q)).toEqual(['query.version']);
    const b = await app.call('POST', '/v1/templates/welcome/preview', { version: 2147483648 });
    expect(b.status).toBe(400);
    expect(paths(b)).toEqual(['version']);
  });
});

describe('keys named like Object.prototype members', () => {
  it('refuses "__proto__" as a key (plain objects drop it silently)', async () => {
    const r = await app.call(
      'POST',
      '/v1/events',
      '{"id":"e1","type":"t","contact":{"email":"a@example.com"},"properties":{"__proto__":{"x":1}}}',
    );
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['properties.__proto__']);
  });

  it('reads own keys only: "constructor" and "toString" are data or absent, never Object\'s', () => {
    expect(readPath({}, 'constructor')).toBeUndefined();
    expect(readPath({ a: {} }, 'a.toString')).toBeUndefined();
    expect(readPath(JSON.parse('{"constructor":{"name":3}}'), 'constructor.name')).toBe(3);
  });
});

describe('single events name the field', () => {
  it.each([
    ['id', event({ id: undefined })],
    ['type', event({ type: 42 })],
    ['contact', event({ contact: {} })],
    ['contact', event({ contact: undefined })],
    ['properties', event({ properties: [1] })],
    ['occurredAt', event({ occurredAt: 'yesterday' })],
  ])('%s', async (field, body) => {
    const r = await app.call('POST', '/v1/events', body);
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual([field]);
    expect(r.body.error.message).toMatch(new RegExp(`^${field}: `));
  });

  it('batches name the event and the batch size', async () => {
    const bad = await app.call('POST', '/v1/events', { events: [event(), event({ type: '' })] });
    expect([...new Set(paths(bad))]).toEqual(['events.1.type']);
    const big = await app.call('POST', '/v1/events', { events: Array.from({ length: 501 }, (_, i) => event({ id: `e${i}` })) });
    expect(paths(big)).toEqual(['events']);
    const empty = await app.call('POST', '/v1/events', { events: [] });
    expect(paths(empty)).toEqual(['events']);
  });
});

describe('methods', () => {
  // fetch() refuses to send TRACE (and QUERY is new); node:http sends any method.
  const send = (method: string, path: string) =>
    new Promise<{ status: number; allow: string; body: string }>((resolve, reject) => {
      const req = request(app.base + path, { method, headers: { authorization: `Bearer ${BARE_KEY}` } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: String(res.headers.allow ?? ''), body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('TRACE answers 405 with Allow, on any path', async () => {
    for (const [path, allow] of [
      ['/v1/contacts', 'POST'],
      ['/u/x', 'GET, HEAD, POST'],
      ['/nowhere', 'GET, HEAD, POST, PUT, DELETE'],
    ]) {
      const r = await send('TRACE', path!);
      expect(r.status, path).toBe(405);
      expect(r.allow, path).toBe(allow);
      expect(JSON.parse(r.body).error.code).toBe('method_not_allowed');
    }
  });

  it('a documented path asked with a method it does not list answers 405 naming the ones it does', async () => {
    for (const [method, path, allow] of [
      ['QUERY', '/health', 'GET, HEAD'],
      ['DELETE', '/v1/journeys', 'GET, HEAD'],
      ['PATCH', '/v1/contacts/abc', 'GET, HEAD, DELETE'],
      ['PUT', '/webhooks/shop', 'POST'],
    ]) {
      const r = await send(method!, path!);
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.allow, `${method} ${path}`).toBe(allow);
      expect(JSON.parse(r.body).error.code).toBe('method_not_allowed');
    }
    // As in OpenAPI, a concrete path wins over a template that also matches it.
    const imports = await send('OPTIONS', '/v1/contacts/imports');
    expect([imports.status, imports.allow]).toEqual([204, 'GET, HEAD']);
    // A path the document does not know stays a 404.
    expect((await send('DELETE', '/nowhere')).status).toBe(404);
  });
});
