// A 2xx from the API means the event is stored and will reach its journeys,
// whatever was down when it was accepted: Temporal, the worker, or the
// dispatcher (server restarted before it delivered).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../stack/net';
import { startTemporalDevServer, type DevServer } from '../../stack/temporal';
import { startTestStack, type TestStack } from '../support/stack';

const signup = (id: string, email: string) => ({ id, type: 'signed_up', contact: { email, firstName: 'Durable' } });

let stack: TestStack | null = null;
let temporal: DevServer | null = null;
afterEach(async () => {
  await stack?.close();
  await temporal?.stop();
  stack = null;
  temporal = null;
});

describe('durability of accepted events', () => {
  it('holds an event while Temporal is down and delivers it once Temporal is back', async () => {
    const port = await freePort();
    stack = await startTestStack('dur_temporal', { temporalAddress: `127.0.0.1:${port}` });
    await stack.startServer();
    const r = await stack.api('/v1/events', { body: signup('t-down', 'tdown@example.com') });
    expect(r.status).toBe(202);
    // The dispatcher tried, failed, and kept the event for later.
    const pending = await vi.waitFor(
      async () => {
        const e = await stack!.tdb.db.event.findUniqueOrThrow({ where: { idempotencyKey: 'api:t-down' } });
        expect(e.dispatchError).not.toBeNull();
        return e;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(pending.dispatchedAt).toBeNull();
    const health = await stack.api('/health', { key: null });
    expect(health.status).toBe(503);
    expect(health.body.temporal.ok).toBe(false);

    temporal = await startTemporalDevServer({ dbFile: null, port, uiPort: null });
    await stack.startWorker();
    const mail = await stack.sink.waitFor((m) => m.envelopeTo.includes('tdown@example.com'), 45_000);
    expect(mail.parsed.subject).toBe('Welcome to Rapport, Durable!');
    const e = await stack.tdb.db.event.findUniqueOrThrow({ where: { idempotencyKey: 'api:t-down' } });
    expect(e.dispatchedAt).not.toBeNull();
  });

  it('delivers events accepted by a server that stopped before dispatching them', async () => {
    stack = await startTestStack('dur_server');
    const first = await stack.startServer({ DISPATCHER_ENABLED: 'false' });
    expect((await stack.api('/v1/events', { body: signup('s-restart', 'srestart@example.com') })).status).toBe(202);
    await first.close();
    const e = await stack.tdb.db.event.findUniqueOrThrow({ where: { idempotencyKey: 'api:s-restart' } });
    expect(e.dispatchedAt).toBeNull();

    await Promise.all([stack.startServer(), stack.startWorker()]);
    await stack.sink.waitFor((m) => m.envelopeTo.includes('srestart@example.com'));
  });

  it('starts the journey while no worker runs; the email goes out when one starts', async () => {
    stack = await startTestStack('dur_worker');
    await stack.startServer();
    expect((await stack.api('/v1/events', { body: signup('w-down', 'wdown@example.com') })).status).toBe(202);
    await vi.waitFor(
      async () => {
        const e = await stack!.tdb.db.event.findUniqueOrThrow({ where: { idempotencyKey: 'api:w-down' } });
        expect(e.dispatchedAt).not.toBeNull();
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(stack.sink.messages).toHaveLength(0);
    await stack.startWorker();
    await stack.sink.waitFor((m) => m.envelopeTo.includes('wdown@example.com'));
  });
});
