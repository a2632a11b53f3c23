// `npm start` (stack/start.ts) with Temporal unreachable: the HTTP server still
// comes up and accepts events (they wait in the outbox). Accepting events must
// never wait for Temporal (issue 12: the server used to listen only after the
// worker had reached Temporal).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../lib/db';
import { freePort } from '../../stack/net';
import { startMailSink } from '../../stack/smtp-sink';
import { ROOT } from '../../stack/tools';
import { createEmptyDatabase } from '../support/db';
import { TEST_API_KEY, TEST_LINK_SECRET, TEST_WEBHOOK_SECRET } from '../support/env';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('npm start with Temporal down', () => {
  it('listens and accepts events before the worker has reached Temporal', async () => {
    const [url, sink, httpPort, deadTemporal] = await Promise.all([
      createEmptyDatabase('st_no_temporal'),
      startMailSink({ smtpPort: 0 }),
      freePort(),
      freePort(), // nothing listens there
    ]);
    cleanups.push(() => sink.close());
    const data = mkdtempSync(join(tmpdir(), 'rapport-start-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'stack', 'start.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        RAPPORT_DATA_DIR: data,
        DATABASE_URL: url,
        TEMPORAL_ADDRESS: `127.0.0.1:${deadTemporal}`,
        SMTP_URL: sink.smtpUrl,
        HTTP_PORT: String(httpPort),
        RAPPORT_API_KEYS: TEST_API_KEY,
        WEBHOOK_SECRETS: `shop=${TEST_WEBHOOK_SECRET}`,
        LINK_SIGNING_SECRET: TEST_LINK_SECRET,
        WORKER_METRICS_PORT: 'off',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    });
    const base = `http://127.0.0.1:${httpPort}`;
    await vi.waitFor(
      async () => {
        expect(child.exitCode).toBeNull(); // still running: an unreachable Temporal is not fatal
        expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      },
      { timeout: 90_000, interval: 250 },
    );
    const r = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'boot-1', type: 'signed_up', contact: { email: 'boot@example.com' } }),
    });
    expect(r.status).toBe(202);
    const db = createDb(url, 1);
    cleanups.push(() => db.$disconnect());
    expect(await db.event.count({ where: { type: 'signed_up', dispatchedAt: null } })).toBe(1); // waiting in the outbox
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503); // and /health says Temporal is not there
  }, 150_000);
});
