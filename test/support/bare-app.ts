// The Express app on a loopback port with no database behind it: for requests
// that must be answered (refused) before any use case runs.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger } from '../../lib/logger';
import { createApp } from '../../server/app';
import type { ServerDeps } from '../../server/context';
import { signWebhook } from '../../lib/webhook-signature';

export const BARE_KEY = 'k'.repeat(20);
export const BARE_WEBHOOK_SECRET = 'whsec_0123456789abcdef';

export interface ErrorBody {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}
export interface BareResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON body (errors have this shape). */
  body: ErrorBody;
}

export interface BareApp {
  base: string;
  close(): Promise<void>;
  /** A request with the API key; body sent as JSON text when not a string. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<BareResponse>;
  webhook(source: string, body: string): Promise<BareResponse>;
}

export async function startBareApp(overrides: Partial<ServerDeps> = {}): Promise<BareApp> {
  const deps: ServerDeps = {
    db: new Proxy(
      {},
      {
        get: () => {
          throw new Error('this request reached the database');
        },
      },
    ) as never,
    log: createLogger('t', 'silent'),
    apiKeys: [BARE_KEY],
    webhookSecrets: { shop: BARE_WEBHOOK_SECRET },
    webhookToleranceSeconds: 300,
    linkSecret: 'x'.repeat(20),
    publicUrl: 'http://x',
    temporalHealthy: async () => true,
    onEventsStored() {},
    ...overrides,
  };
  const server: Server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const read = async (res: Response): Promise<BareResponse> => {
    const text = await res.text();
    const body = (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as ErrorBody;
    return { status: res.status, headers: res.headers, text, body };
  };
  return {
    base,
    close: () => new Promise<void>((r) => server.close(() => r())),
    async call(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: { authorization: `Bearer ${BARE_KEY}`, 'content-type': 'application/json', ...headers },
      };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      return read(await fetch(base + path, init));
    },
    async webhook(source, body) {
      const res = await fetch(`${base}/webhooks/${source}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'rapport-signature': signWebhook(BARE_WEBHOOK_SECRET, body) },
        body,
      });
      return read(res);
    },
  };
}
