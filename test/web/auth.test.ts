// Who may enter the workspace, over HTTP on the real server and database:
// sessions, CSRF, roles, wrong-password limits, the page itself, the first
// admin of `npm start`, and `npm run users`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardAdmin } from '../../stack/dashboard-admin';
import { ROOT } from '../../stack/tools';
import { createUser } from '../../users/service';
import { startTestStack, type TestStack } from '../support/stack';
import { WorkspaceClient } from './http-client';

const run = promisify(execFile);
const PW = 'correct horse battery';

let s: TestStack;
let base = '';
beforeAll(async () => {
  s = await startTestStack('web_auth');
  await s.startServer();
  base = s.server!.url;
  await createUser(s.tdb.db, { email: 'admin@example.com', role: 'admin', password: PW });
  await createUser(s.tdb.db, { email: 'mark@example.com', role: 'marketer', password: PW });
  await createUser(s.tdb.db, { email: 'vera@example.com', role: 'viewer', password: PW });
});
afterAll(() => s?.close());

describe('workspace sign-in', () => {
  it('answers nothing without a session', async () => {
    const c = new WorkspaceClient(base);
    for (const path of [
      '/dashboard/api/session',
      '/dashboard/api/journeys',
      '/dashboard/api/v1/journeys',
      '/dashboard/api/users',
      '/dashboard/api/journeys/welcome/stats',
    ]) {
      const r = await c.req(path);
      expect(r.status, path).toBe(401);
      expect(r.body.error.code, path).toBe('unauthorized');
    }
    expect((await c.req('/dashboard/api/v1/journeys/welcome', { method: 'PUT', body: {} })).status).toBe(401);
    // An API key does not open the workspace API, nor a session cookie the public one.
    const withKey = await fetch(`${base}/dashboard/api/journeys`, {
      headers: { authorization: `Bearer ${s.env.server.RAPPORT_API_KEYS[0]}` },
    });
    expect(withKey.status).toBe(401);
  });

  it('signs in with email and password into an HttpOnly, SameSite cookie', async () => {
    const c = new WorkspaceClient(base);
    const wrong = await c.login('mark@example.com', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_login', details: [{ path: 'password' }] });
    const unknown = await c.login('nobody@example.com', PW);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);

    const r = await c.login('Mark@Example.com ', PW);
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ email: 'mark@example.com', role: 'marketer' });
    expect(r.body.user.passwordHash).toBeUndefined();
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^rapport_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await c.req('/dashboard/api/session')).body.user.email).toBe('mark@example.com');
    const list = await c.req('/dashboard/api/journeys');
    expect(list.status).toBe(200);
    expect(list.body.journeys.map((j: { key: string }) => j.key)).toContain('welcome');
    expect((await c.req('/dashboard/api/v1/journeys/welcome')).status).toBe(200);
  });

  it("refuses a change without the session's CSRF token", async () => {
    const c = new WorkspaceClient(base);
    await c.login('mark@example.com', PW);
    const body = { key: 'csrf_probe', name: 'CSRF probe', trigger: { type: 'api' }, steps: [{ id: 'w', type: 'wait', duration: '1d' }] };
    const none = await c.req('/dashboard/api/v1/journeys/csrf_probe', { method: 'PUT', body, csrf: null });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('csrf_failed');
    const other = new WorkspaceClient(base);
    await other.login('admin@example.com', PW);
    const foreign = await c.req('/dashboard/api/v1/journeys/csrf_probe', { method: 'PUT', body, csrf: other.csrf });
    expect(foreign.status).toBe(403);
    expect((await c.req('/dashboard/api/session', { method: 'DELETE', csrf: null })).status).toBe(403);
    expect(await s.tdb.db.journeyDefinition.count({ where: { key: 'csrf_probe' } })).toBe(0);

    const ok = await c.req('/dashboard/api/v1/journeys/csrf_probe', { method: 'PUT', body });
    expect(ok.status).toBe(200);
    // A sign-in from another site's page is refused too.
    const cross = await new WorkspaceClient(base).req('/dashboard/api/session', {
      body: { email: 'mark@example.com', password: PW },
      headers: { origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
  });

  it('lets viewers look but change nothing, and only admins manage users', async () => {
    const v = new WorkspaceClient(base);
    await v.login('vera@example.com', PW);
    expect((await v.req('/dashboard/api/journeys')).status).toBe(200);
    expect((await v.req('/dashboard/api/v1/journeys/welcome')).status).toBe(200);
    const def = (await v.req('/dashboard/api/v1/journeys/welcome')).body.draft;
    expect((await v.req('/dashboard/api/v1/journeys/validate', { body: def })).body.valid).toBe(true);
    for (const [method, path, body] of [
      ['PUT', '/dashboard/api/v1/journeys/welcome', def],
      ['POST', '/dashboard/api/v1/journeys/welcome/publish', {}],
      ['POST', '/dashboard/api/v1/journeys/welcome/pause', {}],
      ['POST', '/dashboard/api/v1/contacts', { email: 'x@example.com' }],
      ['POST', '/dashboard/api/users', { email: 'new@example.com' }],
    ] as const) {
      const r = await v.req(path, { method, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    expect((await s.tdb.db.journeyDefinition.findUniqueOrThrow({ where: { key: 'welcome' } })).status).toBe('active');
    expect((await v.req('/dashboard/api/users')).status).toBe(403);

    const m = new WorkspaceClient(base);
    await m.login('mark@example.com', PW);
    expect((await m.req('/dashboard/api/users')).status).toBe(403);
    expect((await m.req('/dashboard/api/users', { body: { email: 'new@example.com' } })).status).toBe(403);

    const a = new WorkspaceClient(base);
    await a.login('admin@example.com', PW);
    const added = await a.req('/dashboard/api/users', { body: { email: 'new@example.com', role: 'viewer' } });
    expect(added.status).toBe(201);
    expect(added.body.password).toMatch(/^[\w-]{20}$/);
    expect((await new WorkspaceClient(base).login('new@example.com', added.body.password)).status).toBe(201);
    expect((await a.req('/dashboard/api/users', { body: { email: 'new@example.com' } })).status).toBe(409);
    expect((await a.req('/dashboard/api/users', { body: { email: 'not-an-email' } })).body.error.details[0].path).toBe('email');
    const removed = await a.req(`/dashboard/api/users/${added.body.user.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect((await a.req(`/dashboard/api/users/${(await a.req('/dashboard/api/session')).body.user.id}`, { method: 'DELETE' })).status).toBe(
      409,
    );
  });

  it('signs out: the cookie opens nothing afterwards', async () => {
    const c = new WorkspaceClient(base);
    await c.login('mark@example.com', PW);
    const cookie = c.cookie;
    expect((await c.req('/dashboard/api/session', { method: 'DELETE' })).status).toBe(204);
    c.cookie = cookie;
    expect((await c.req('/dashboard/api/journeys')).status).toBe(401);
  });

  it('locks an account after repeated wrong passwords, even with the right one', async () => {
    await createUser(s.tdb.db, { email: 'locked@example.com', role: 'marketer', password: PW });
    const c = new WorkspaceClient(base);
    const wrong = await Promise.all(Array.from({ length: 5 }, () => c.login('locked@example.com', 'wrong password!')));
    expect(wrong.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const locked = await c.login('locked@example.com', PW);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('account_locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Other accounts are not affected.
    expect((await c.login('mark@example.com', PW)).status).toBe(201);
  });

  it('serves the app under / and leaves the other pages alone', async () => {
    const page = await fetch(`${base}/journeys/welcome`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    expect((await fetch(`${base}${asset}`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBeLessThan(600);
    expect((await fetch(`${base}/u/not-a-token`, { headers: { accept: 'text/html' } })).status).toBe(400);
    expect((await fetch(`${base}/openapi.yaml`, { headers: { accept: 'text/html' } })).headers.get('content-type')).toMatch(/yaml/);
    const api = await fetch(`${base}/v1/journeys`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(401);
    const unknown = await fetch(`${base}/nowhere`);
    expect(unknown.status).toBe(404);
  });

  it('limits wrong passwords per address across accounts', async () => {
    const c = new WorkspaceClient(base);
    let last = 0;
    for (let i = 0; i < 25 && last !== 429; i++) last = (await c.login(`guess${i}@example.com`, 'wrong password!')).status;
    expect(last).toBe(429);
    const r = await c.login('mark@example.com', PW);
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe('too_many_attempts');
  });
});

describe('the first admin and npm run users', () => {
  it('creates an admin once and keeps its login in secrets.json', async () => {
    const tdb = s.tdb;
    const dir = mkdtempSync(join(tmpdir(), 'rapport-secrets-'));
    const file = join(dir, 'secrets.json');
    await tdb.db.dashboardUser.deleteMany();
    const lines = await ensureDashboardAdmin(tdb.db, file, base, 'first@example.com');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.dashboard).toMatchObject({ url: base, email: 'first@example.com' });
    expect(saved.apiKey).toMatch(/^rk_/);
    expect(lines.join('\n')).toContain(saved.dashboard.password);
    expect((await new WorkspaceClient(base).login('first@example.com', saved.dashboard.password)).status).not.toBe(401);
    const again = await ensureDashboardAdmin(tdb.db, file, base, 'first@example.com');
    expect(again.join('\n')).not.toContain(saved.dashboard.password);
    expect(await tdb.db.dashboardUser.count()).toBe(1);
  });

  it('adds, lists, resets and removes accounts from the command line', async () => {
    const env = { ...process.env, DATABASE_URL: s.tdb.url };
    const users = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'cli/users.ts', ...args], { cwd: ROOT, env });
    const added = await users('add', 'cli@example.com', '--role', 'viewer');
    expect(added.stdout).toMatch(/^Added cli@example\.com \(viewer\)\. Password: [\w-]{20}\n$/);
    const list = await users('list');
    expect(list.stdout).toMatch(/cli@example\.com\s+viewer/);
    const reset = await users('reset-password', 'cli@example.com', '--password', 'a brand new password');
    expect(reset.stdout).toContain('set');
    const bad = await users('add', 'cli@example.com').catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('exists already') });
    await users('remove', 'cli@example.com');
    expect(await s.tdb.db.dashboardUser.count({ where: { email: 'cli@example.com' } })).toBe(0);
  }, 60_000);
});
