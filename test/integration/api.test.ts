// The HTTP API and webhooks end to end: real server, worker, Temporal dev
// server, PostgreSQL and SMTP.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack('it_api');
  await Promise.all([s.startServer(), s.startWorker()]);
});
afterAll(() => s?.close());

describe('health', () => {
  it('reports database and Temporal', async () => {
    const r = await s.api('/health', { key: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', database: { ok: true }, temporal: { ok: true } });
  });
});

describe('authentication', () => {
  it('refuses /v1 without or with a wrong API key', async () => {
    for (const key of [null, 'wrong-key']) {
      const r = await s.api('/v1/contacts/x', { key });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    }
  });
});

describe('contacts', () => {
  it('upserts with a normalised email and finds by id, email and external id', async () => {
    const created = await s.api('/v1/contacts', {
      body: { email: '  Alan@Example.COM ', externalId: 'crm-1', firstName: 'Alan', attributes: { drink: 'tea' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.contact).toMatchObject({ email: 'alan@example.com', externalId: 'crm-1', attributes: { drink: 'tea' } });
    const updated = await s.api('/v1/contacts', { body: { email: 'alan@example.com', company: 'Bletchley', attributes: { size: 'L' } } });
    expect(updated.status).toBe(200);
    expect(updated.body.contact).toMatchObject({
      id: created.body.contact.id,
      company: 'Bletchley',
      attributes: { drink: 'tea', size: 'L' },
    });
    for (const path of [
      `/v1/contacts/${created.body.contact.id}`,
      '/v1/contacts/ALAN@example.com?by=email',
      '/v1/contacts/crm-1?by=externalId',
    ]) {
      const r = await s.api(path);
      expect(r.status, path).toBe(200);
      expect(r.body.contact.id).toBe(created.body.contact.id);
    }
  });

  it('names the offending field on bad input', async () => {
    const r = await s.api('/v1/contacts', { body: { email: 'nope', timeZone: 'Mars/Olympus' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'timeZone']);
    const bad = await s.api('/v1/contacts', { body: '{"email":' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
  });

  it('refuses to merge two contacts silently', async () => {
    await s.api('/v1/contacts', { body: { email: 'one@example.com', externalId: 'x-1' } });
    await s.api('/v1/contacts', { body: { email: 'two@example.com', externalId: 'x-2' } });
    const r = await s.api('/v1/contacts', { body: { email: 'two@example.com', externalId: 'x-1' } });
    expect(r.status).toBe(409);
    expect(r.body.error.details[0].path).toBe('email');
  });

  it('answers 404 for an unknown contact and 400 for a malformed id', async () => {
    expect((await s.api('/v1/contacts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await s.api('/v1/contacts/not-a-uuid')).status).toBe(400);
  });
});

describe('signed_up through the API', () => {
  it('starts the welcome journey: the email arrives and the timeline shows it', async () => {
    const r = await s.api('/v1/events', {
      body: { id: 'signup-ada', type: 'signed_up', contact: { email: 'ada@example.com', firstName: 'Ada' } },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ id: 'signup-ada', duplicate: false });
    const mail = await s.sink.waitFor((m) => m.envelopeTo.includes('ada@example.com'));
    expect(mail.parsed.subject).toBe('Welcome to Rapport, Ada!');
    const headers = mail.raw.toString().split(/\r?\n\r?\n/)[0]!;
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(headers).toMatch(
      /^List-Unsubscribe:\s+<http:\/\/rapport\.test\/u\/[\w-]+\.[\w-]+>,\s+<mailto:unsubscribe@rapport\.localhost\?subject=/m,
    );
    expect(String(mail.parsed.messageId)).toMatch(/^<[0-9a-f]{40}@rapport\.localhost>$/);

    const contactId = r.body.contactId as string;
    // The step log is written right after the send: poll until it is there.
    const timeline = await vi.waitFor(
      async () => {
        const t = await s.api(`/v1/contacts/${contactId}/timeline`);
        expect(t.body.entries.some((e: { kind: string }) => e.kind === 'journey_step')).toBe(true);
        return t;
      },
      { timeout: 10_000, interval: 50 },
    );
    const kinds = timeline.body.entries.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['journey_step', 'email', 'event']);
    const email = timeline.body.entries[1];
    expect(email).toMatchObject({ template: 'welcome', status: 'sent', journey: 'welcome', step: 'welcome_email' });
    const times = timeline.body.entries.map((e: { at: string }) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('webhooks', () => {
  const event = (id: string, email: string) => ({ id, type: 'signed_up', contact: { email, firstName: 'Web' } });

  it('accept a signed event, which reaches the journey', async () => {
    const r = await s.webhook('shop', event('shop-1', 'web@example.com'));
    expect(r.status).toBe(202);
    await s.sink.waitFor((m) => m.envelopeTo.includes('web@example.com'));
  });

  it('accept a repeated event id once and acknowledge the repeat without effect', async () => {
    const first = await s.webhook('shop', event('shop-dup', 'dup@example.com'));
    const again = await s.webhook('shop', event('shop-dup', 'dup@example.com'));
    expect(first.body.duplicate).toBe(false);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ duplicate: true, eventId: first.body.eventId });
    await s.sink.waitFor((m) => m.envelopeTo.includes('dup@example.com'));
    expect(await s.tdb.db.event.count({ where: { idempotencyKey: 'webhook:shop:shop-dup' } })).toBe(1);
  });

  it('refuse a bad signature, a stale timestamp and an unknown source', async () => {
    const bad = await s.webhook('shop', event('shop-bad', 'bad@example.com'), { secret: 'not-the-secret-0123456789' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('bad_signature');
    const stale = await s.webhook('shop', event('shop-old', 'old@example.com'), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/tolerance/);
    const unknown = await s.webhook('nowhere', event('x', 'x@example.com'));
    expect(unknown.status).toBe(404);
    expect(await s.tdb.db.contact.count({ where: { email: { in: ['bad@example.com', 'old@example.com', 'x@example.com'] } } })).toBe(0);
  });

  it('report per-event results for a batch with a bad entry', async () => {
    const r = await s.webhook('shop', {
      events: [
        { id: 'b-1', type: 'page_viewed', contact: { email: 'batch@example.com' }, properties: { path: '/pricing' } },
        { id: 'b-2', type: 'page_viewed', contact: { externalId: 'nobody-has-this' } },
      ],
    });
    expect(r.status).toBe(207);
    expect(r.body.results[0]).toMatchObject({ id: 'b-1', duplicate: false });
    expect(r.body.results[1].error).toMatchObject({ code: 'contact_not_found', details: [{ path: 'events.1.contact' }] });
    const bad = await s.webhook('shop', { events: [{ id: 'b-3', type: 'Bad Type', contact: {} }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['events.0.type', 'events.0.contact']),
    );
  });
});
