// Plays a contact's life through the public entry points (the HTTP API and
// signed webhooks) against the time-skipping test server, so weeks pass in
// seconds. After each request the dispatcher delivers what was stored, at once.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import { signWebhook } from '../../lib/webhook-signature';
import { createLogger } from '../../lib/logger';
import { TEST_API_KEY, TEST_LINK_SECRET, TEST_WEBHOOK_SECRET } from './env';
import { journeyHarness, type Harness } from './journey-harness';

export interface Story extends Harness {
  /** Simulated now, ISO (for occurredAt). */
  now(): Promise<string>;
  api(path: string, body?: unknown, method?: string): Promise<{ status: number; body: any }>;
  webhook(source: string, body: unknown): Promise<{ status: number; body: any }>;
  /** A request without the API key (links in emails), path relative to the server. */
  visit(path: string, method?: string): Promise<{ status: number; location: string | null }>;
  /** Lets simulated time pass, then delivers events activities stored meanwhile. */
  advance(duration: string): Promise<void>;
}

export async function story(name: string): Promise<Story> {
  const h = await journeyHarness(name);
  const app = createApp({
    db: h.fx.tdb.db,
    log: createLogger('story', 'silent'),
    apiKeys: [TEST_API_KEY],
    webhookSecrets: { shop: TEST_WEBHOOK_SECRET, website: TEST_WEBHOOK_SECRET, webinar: TEST_WEBHOOK_SECRET },
    webhookToleranceSeconds: 300,
    linkSecret: TEST_LINK_SECRET,
    publicUrl: 'http://rapport.test',
    temporalHealthy: async () => true,
    onEventsStored: () => undefined, // the story dispatches explicitly after each request
    mailer: h.fx.mailer,
    mailFrom: 'Rapport <hello@rapport.test>',
    temporal: h.env.client,
    taskQueue: h.taskQueue,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const parse = async (res: Response) => {
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  const s: Story = {
    ...h,
    now: async () => new Date(await h.env.currentTimeMs()).toISOString(),
    async api(path, body, method) {
      const res = await fetch(`${base}${path}`, {
        method: method ?? (body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const out = await parse(res);
      await h.dispatch();
      return out;
    },
    async webhook(source, body) {
      const raw = JSON.stringify(body);
      const res = await fetch(`${base}/webhooks/${source}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'rapport-signature': signWebhook(TEST_WEBHOOK_SECRET, raw) },
        body: raw,
      });
      const out = await parse(res);
      await h.dispatch();
      return out;
    },
    async visit(path, method = 'GET') {
      const res = await fetch(`${base}${path}`, {
        method,
        redirect: 'manual',
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        body: method === 'POST' ? '' : undefined,
      });
      await res.arrayBuffer();
      await h.dispatch();
      return { status: res.status, location: res.headers.get('location') };
    },
    async advance(duration) {
      await h.env.sleep(duration);
      await h.dispatch();
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await h.close();
    },
  };
  return s;
}
