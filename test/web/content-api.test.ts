// The new workspace and /v1 endpoints over HTTP on the real server and database:
// no session -> 401, no CSRF token -> 403, and what the export and tasks answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactExportSchema } from '../../contacts/export';
import { createUser } from '../../users/service';
import { startTestStack, type TestStack } from '../support/stack';
import { WorkspaceClient } from './http-client';

const PW = 'correct horse battery';
let s: TestStack;
let base = '';
beforeAll(async () => {
  s = await startTestStack('web_content_api');
  await s.startServer();
  base = s.server!.url;
  await createUser(s.tdb.db, { email: 'mark@example.com', role: 'marketer', password: PW });
});
afterAll(() => s?.close());

const UUID = '00000000-0000-4000-8000-000000000001';

describe('new workspace endpoints', () => {
  it('answer nothing without a session, and refuse changes without the CSRF token', async () => {
    const anon = new WorkspaceClient(base);
    for (const path of [
      '/dashboard/api/mail',
      `/dashboard/api/mail/x`,
      '/dashboard/api/v1/tasks',
      `/dashboard/api/v1/contacts/${UUID}/export`,
      '/dashboard/api/newsletters/audience?segment=x',
      `/dashboard/api/newsletters/${UUID}/results`,
      '/dashboard/api/v1/contacts/imports',
    ]) {
      const r = await anon.req(path);
      expect(r.status, path).toBe(401);
      expect(r.body.error.code, path).toBe('unauthorized');
    }
    for (const path of [
      '/dashboard/api/segments/preview',
      '/dashboard/api/templates/x/draft-preview',
      `/dashboard/api/v1/tasks/${UUID}/done`,
    ]) {
      expect((await anon.req(path, { body: {} })).status, path).toBe(401);
    }
    const c = new WorkspaceClient(base);
    expect((await c.login('mark@example.com', PW)).status).toBe(201);
    for (const path of [
      '/dashboard/api/segments/preview',
      '/dashboard/api/templates/x/draft-preview',
      `/dashboard/api/v1/tasks/${UUID}/done`,
      '/dashboard/api/v1/contacts/import',
    ]) {
      const r = await c.req(path, { body: {}, csrf: null });
      expect(r.status, path).toBe(403);
      expect(r.body.error.code, path).toBe('csrf_failed');
    }
    expect((await c.req(`/dashboard/api/v1/tasks/${UUID}/done`, { body: {} })).status).toBe(404);
    // No embedded sink behind this server: the Mail page says so.
    expect((await c.req('/dashboard/api/mail')).body.error.code).toBe('no_mail_sink');
    expect(
      (await c.req('/dashboard/api/segments/preview', { body: { condition: { field: 'shoeSize', op: 'eq', value: 1 } } })).body.error
        .details[0].path,
    ).toBe('condition.field');
  });

  it('searches contacts within a segment (GET /dashboard/api/contacts?segment=)', async () => {
    for (const [email, company] of [
      ['grace@navy.example', 'Navy'],
      ['gladys@navy.example', 'Navy'],
      ['gertrude@shop.example', 'Shop'],
    ] as const) {
      expect((await s.api('/v1/contacts', { body: { email, company, firstName: email.split('@')[0] } })).status).toBeLessThan(300);
    }
    expect(
      (await s.api('/v1/segments/navy', { body: { name: 'Navy', condition: { field: 'company', op: 'eq', value: 'Navy' } } })).status,
    ).toBe(201);
    const c = new WorkspaceClient(base);
    expect((await c.login('mark@example.com', PW)).status).toBe(201);
    const emails = async (query: string) =>
      ((await c.req(`/dashboard/api/contacts?${query}`)).body.contacts as { email: string }[]).map((x) => x.email);
    expect(await emails('segment=navy')).toEqual(['gladys@navy.example', 'grace@navy.example']);
    expect(await emails('q=gl&segment=navy')).toEqual(['gladys@navy.example']);
    expect(await emails('q=gertrude&segment=navy')).toEqual([]);
    expect(await emails('q=gertrude')).toEqual(['gertrude@shop.example']);
    // A LIKE wildcard typed in the search box is a character, not a pattern.
    expect(await emails('q=%25&segment=navy')).toEqual([]);
    expect((await c.req('/dashboard/api/contacts?segment=nope')).status).toBe(404);
    expect((await c.req('/dashboard/api/contacts?segment=Bad%20Key')).body.error.details[0].path).toBe('query.segment');
  });

  it('exports everything held about a contact (GET /v1/contacts/{ref}/export)', async () => {
    expect(
      (
        await s.api('/v1/events', {
          body: { id: 'p-1', type: 'purchase', contact: { email: 'ada@example.com', firstName: 'Ada' }, properties: { amount: 12 } },
        })
      ).status,
    ).toBe(202);
    const r = await s.api('/v1/contacts/ada@example.com/export?by=email');
    expect(r.status).toBe(200);
    const doc = contactExportSchema.parse(r.body);
    expect(doc.contact).toMatchObject({ email: 'ada@example.com', firstName: 'Ada' });
    expect(doc.events.map((e) => e.type)).toContain('purchase');
    expect((await s.api(`/v1/contacts/${UUID}/export`)).status).toBe(404);
    expect((await s.api('/v1/contacts/not-a-uuid/export')).body.error.details[0].path).toBe('ref');
    expect((await s.api('/v1/contacts/ada@example.com/export?by=email', { key: null })).status).toBe(401);
  });

  it('lists open sales tasks and marks one done once (GET /v1/tasks, POST /v1/tasks/{id}/done)', async () => {
    const contact = await s.tdb.db.contact.findUniqueOrThrow({ where: { email: 'ada@example.com' } });
    const later = await s.tdb.db.salesTask.create({
      data: {
        idempotencyKey: 't2',
        contactId: contact.id,
        owner: 'sales@example.com',
        reason: 'Later',
        dueAt: new Date(Date.now() + 86_400_000),
      },
    });
    await s.tdb.db.salesTask.create({
      data: {
        idempotencyKey: 't1',
        contactId: contact.id,
        owner: 'sales@example.com',
        reason: 'Sooner',
        dueAt: new Date(Date.now() - 1000),
      },
    });
    const open = await s.api('/v1/tasks');
    expect(open.body.tasks.map((t: { reason: string; overdue: boolean }) => [t.reason, t.overdue])).toEqual([
      ['Sooner', true],
      ['Later', false],
    ]);
    expect((await s.api(`/v1/tasks/${later.id}/done`, { body: {} })).body.task).toMatchObject({ status: 'done', reason: 'Later' });
    expect((await s.api(`/v1/tasks/${later.id}/done`, { body: {} })).status).toBe(409);
    expect((await s.api('/v1/tasks?status=done')).body.tasks.map((t: { reason: string }) => t.reason)).toEqual(['Later']);
    expect((await s.api('/v1/tasks?status=nope')).body.error.details[0].path).toBe('query.status');
  });
});
