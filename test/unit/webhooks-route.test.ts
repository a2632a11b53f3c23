// POST /webhooks/:source looks the source's secret up among the configured ones
// only: names of Object.prototype members are unknown sources (404), not a 500.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger';
import { createApp } from '../../server/app';
import type { ServerDeps } from '../../server/context';
import { signWebhook } from '../../lib/webhook-signature';

const SECRET = 'whsec_0123456789abcdef';
const deps: ServerDeps = {
  db: {} as never, // no request in this file reaches the database
  log: createLogger('t', 'silent'),
  apiKeys: ['k'.repeat(20)],
  webhookSecrets: { shop: SECRET },
  webhookToleranceSeconds: 300,
  linkSecret: 'x'.repeat(20),
  publicUrl: 'http://x',
  temporalHealthy: async () => true,
  onEventsStored() {},
};

let server: Server;
let base: string;
beforeAll(async () => {
  server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function post(source: string, secret = SECRET) {
  const body = JSON.stringify({ id: 'e1', type: 'signed_up', contact: { email: 'w@example.com' } });
  const res = await fetch(`${base}/webhooks/${source}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'rapport-signature': signWebhook(secret, body) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

describe('webhook sources', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'nowhere'])(
    '/webhooks/%s is an unknown source (404), even when signed',
    async (source) => {
      const r = await post(source);
      expect(r).toEqual({ status: 404, body: { error: expect.objectContaining({ code: 'unknown_source' }) } });
    },
  );

  it('a configured source still checks the signature', async () => {
    expect((await post('shop', 'whsec_not_the_right_one')).status).toBe(401);
  });
});
