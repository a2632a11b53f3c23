// The worker's memory guard (WORKER_MEMORY_LIMIT_MB): near its budget the
// worker says why and stops in order with exit 70, instead of being killed by
// the system (or aborting natively) in the middle of its activities.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startRole, type RoleProcess } from '../../stack/role-process';
import { createEmptyDatabase } from '../support/db';
import { testEnv } from '../support/env';

let worker: RoleProcess | undefined;
afterAll(() => worker?.stop(10_000));

describe('worker memory limit', () => {
  it('stops in order, saying why, when its resident memory nears WORKER_MEMORY_LIMIT_MB', async () => {
    const url = await createEmptyDatabase('it_worker_memory');
    const lines: string[] = [];
    const env = testEnv({
      databaseUrl: url,
      temporalAddress: inject('temporalAddress'),
      smtpUrl: 'smtp://127.0.0.1:1',
      // A worker with its bundle loaded is well above 64 MB: the first check trips.
      overrides: { LOG_LEVEL: 'info', WORKER_MEMORY_LIMIT_MB: '64' },
    }).raw;
    worker = await startRole('worker', { ...(process.env as Record<string, string>), ...env }, { out: (l) => lines.push(l) });
    const code = await worker.exited;
    expect(code).toBe(70);
    const parsed = lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as { level?: number; msg?: string; limitMb?: number }];
      } catch {
        return [];
      }
    });
    const fatal = parsed.find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/near its memory limit .*stopping in order/);
    expect(fatal?.limitMb).toBe(64);
  }, 90_000);
});
