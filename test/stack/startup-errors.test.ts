// A part that cannot start ends in one paragraph (what failed, why, what to do), never
// an unhandled 'error' event or a raw stack: the Temporal CLI, the mail sink, the HTTP server.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env';
import { createDb } from '../../lib/db';
import { startServer } from '../../server/main';
import { freePort } from '../../stack/net';
import { startMailSink } from '../../stack/smtp-sink';
import { startTemporalDevServer } from '../../stack/temporal';
import { testEnv } from '../support/env';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function takenPort(): Promise<number> {
  const port = await freePort();
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
  return port;
}

function withTemporalCli(path: string) {
  const before = process.env.TEMPORAL_CLI;
  process.env.TEMPORAL_CLI = path;
  cleanups.push(() => {
    if (before === undefined) delete process.env.TEMPORAL_CLI;
    else process.env.TEMPORAL_CLI = before;
  });
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as Error,
  );

describe('a part that cannot start', () => {
  it('Temporal: a CLI that is not executable is named, with the cause and the way out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cli = join(dir, 'temporal');
    writeFileSync(cli, '#!/bin/sh\nexit 0\n');
    chmodSync(cli, 0o644);
    withTemporalCli(cli);
    const err = await failure(startTemporalDevServer({ dbFile: null, port: await freePort(), uiPort: null }));
    expect(err?.message).toContain(`the Temporal CLI ${cli} cannot be run: permission denied (EACCES`);
    expect(err?.message).toMatch(/chmod \+x/);
    expect(err?.message).toMatch(/TEMPORAL_ADDRESS/);
  });

  it('Temporal: a dev server that exits early (its UI port is taken) says so, with its last lines', async () => {
    const uiPort = await takenPort();
    const err = await failure(startTemporalDevServer({ dbFile: null, port: await freePort(), uiPort }));
    expect(err?.message).toMatch(/did not start/);
    expect(err?.message).toContain(`${uiPort}`);
    expect(err?.message).toMatch(/A port it needs is in use/);
  });

  it('the mail sink names the address it could not take', async () => {
    const port = await takenPort();
    const err = await failure(startMailSink({ smtpPort: port }));
    expect(err?.message).toBe(
      `The mail sink could not listen on 127.0.0.1:${port} (SMTP): the port is already in use (a mail sink left from an earlier run, or another program). Stop the other program or choose another port.`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'rapport-sink-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const webErr = await failure(startMailSink({ smtpPort: 0, httpPort: port, dir }));
    expect(webErr?.message).toContain(`could not listen on 127.0.0.1:${port} (web page)`);
  });

  it('the HTTP server names its port and HTTP_PORT (not "Cannot read properties of null")', async () => {
    const port = await takenPort();
    const env = testEnv({
      databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none',
      temporalAddress: '127.0.0.1:1',
      smtpUrl: 'smtp://127.0.0.1:1',
      overrides: { HTTP_PORT: String(port), DISPATCHER_ENABLED: 'false' },
    });
    // A database handed in is not checked at start (an unreachable DATABASE_URL has its own test: cli-exits).
    const db = createDb(env.server.DATABASE_URL, 1);
    cleanups.push(() => db.$disconnect());
    const err = await failure(startServer(env.server, { db }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toBe(
      `The HTTP server cannot listen on 127.0.0.1:${port}: port ${port} is already in use (another Rapport, or another program).\nStop it, or set HTTP_PORT to a free port (0 picks any).`,
    );
  });
});
