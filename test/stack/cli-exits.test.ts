// `npm run migrate|worker|server` with a database that cannot be used or a
// namespace Temporal does not have: one clear message naming the variable and
// exit 78 (EX_CONFIG), never a raw stack. Each runs the CLI as a process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../stack/net';
import { ROOT } from '../../stack/tools';
import { databaseUrl, freshDatabase } from '../support/db';
import { testEnv } from '../support/env';

function run(
  role: string,
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'rapport.ts'), role], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} still running after ${timeoutMs} ms; output:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

async function baseEnv(dbUrl: string) {
  return testEnv({
    databaseUrl: dbUrl,
    temporalAddress: inject('temporalAddress'),
    smtpUrl: `smtp://127.0.0.1:${await freePort()}?tls=off`,
    overrides: { LOG_LEVEL: 'warn' },
  }).raw;
}

describe('clear exits (78) for a database or namespace that cannot be used', () => {
  it.each(['migrate', 'worker', 'server'])(
    '%s: nothing listens at DATABASE_URL',
    async (role) => {
      const env = await baseEnv(`postgresql://rapport:secret-pass@127.0.0.1:${await freePort()}/rapport`);
      const r = await run(role, env);
      expect(r.code).toBe(78);
      expect(r.stderr).toContain('DATABASE_URL');
      expect(r.stderr).toContain('connection refused');
      expect(r.stderr).not.toContain('secret-pass');
      noStack(r.stderr);
    },
    60_000,
  );

  it('migrate: a database that does not exist is named as such', async () => {
    const env = await baseEnv(databaseUrl(inject('pgAdminUrl'), 'no_such_database_here'));
    const r = await run('migrate', env);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/DATABASE_URL\): that database does not exist/);
    noStack(r.stderr);
  }, 60_000);

  it.each(['worker', 'server'])(
    '%s: a namespace Temporal does not have names TEMPORAL_NAMESPACE',
    async (role) => {
      const db = await freshDatabase('it_cli_ns');
      try {
        const env = { ...(await baseEnv(db.url)), TEMPORAL_NAMESPACE: 'no-such-namespace' };
        const r = await run(role, env);
        expect(r.code).toBe(78);
        expect(r.stderr).toContain('Temporal has no namespace "no-such-namespace" (TEMPORAL_NAMESPACE)');
        noStack(r.stderr);
      } finally {
        await db.close();
      }
    },
    120_000,
  );
});
