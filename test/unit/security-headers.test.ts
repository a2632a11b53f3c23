// Pages with tokens are neither framed, sniffed, referred nor cached; scripts
// only from our own origin.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink } from '../../stack/smtp-sink';
import { startBareApp, type BareApp } from '../support/bare-app';

let app: BareApp;
beforeAll(async () => {
  app = await startBareApp();
});
afterAll(() => app?.close());

const csp = (h: Headers) =>
  Object.fromEntries(
    (h.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );

describe('security headers', () => {
  it.each(['/u/not-a-token', '/preferences/not-a-token', '/confirm/not-a-token', '/a/not-a-token', '/t/c/not-a-token', '/v1/contacts/x'])(
    '%s',
    async (path) => {
      const r = await fetch(app.base + path, { redirect: 'manual' });
      const h = r.headers;
      expect(csp(h)['frame-ancestors']).toEqual(["'none'"]);
      expect(csp(h)['script-src']).toEqual(["'self'"]);
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('referrer-policy')).toBe('no-referrer');
      expect(h.get('cache-control')).toBe('no-store');
      expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
    },
  );

  it('the open pixel stays loadable from webmail on other origins', async () => {
    const r = await fetch(`${app.base}/t/o/not-a-token.gif`);
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('every other response carries the policy too (the web app under / will)', async () => {
    const r = await fetch(`${app.base}/openapi.yaml`);
    expect(csp(r.headers)['frame-ancestors']).toEqual(["'none'"]);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('mail sink page', () => {
  it('sends CSP without scripts, nosniff, no-referrer and no-store', async () => {
    const sink = await startMailSink({ smtpPort: 0, httpPort: 0, dir: mkdtempSync(join(tmpdir(), 'sink-')), host: '127.0.0.1' });
    try {
      const r = await fetch(`http://127.0.0.1:${sink.httpPort}/`);
      expect(r.status).toBe(200);
      const policy = csp(r.headers);
      expect(policy['default-src']).toEqual(["'none'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      expect(policy['script-src']).toBeUndefined();
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
    } finally {
      await sink.close();
    }
  });
});
