// A workflow thread that reaches the worker's heap limit (config/worker-heap.ts,
// the flags every worker starts with) stops the worker in order, saying why,
// with exit 70: Node terminates the thread, not the process, and the worker
// does not abort natively or hang with a dead workflow thread.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WORKER_HEAP_MB, WORKER_NODE_FLAGS } from '../../config/worker-heap';
import { ROOT } from '../../stack/tools';
import { createEmptyDatabase } from '../support/db';
import { testEnv } from '../support/env';

let connection: Connection | undefined;
afterAll(() => connection?.close());

describe('workflow thread memory', () => {
  it('stops the worker in order with exit 70 when a workflow thread reaches its heap limit', async () => {
    const url = await createEmptyDatabase('it_workflow_memory');
    const env = testEnv({
      databaseUrl: url,
      temporalAddress: inject('temporalAddress'),
      smtpUrl: 'smtp://127.0.0.1:1',
      overrides: { LOG_LEVEL: 'info' },
    }).raw;
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', join(ROOT, 'test', 'fixtures', 'hungry-worker.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let ready: () => void;
    const running = new Promise<void>((r) => (ready = r));
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        if (l.includes('"msg":"worker running"')) ready();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await Promise.race([running, exited]);

    connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });
    await client.workflow.start('hungry', { taskQueue: env.TEMPORAL_TASK_QUEUE!, workflowId: `hungry-${Date.now()}` });

    const code = await exited;
    const fatal = lines
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as { level?: number; msg?: string; limitMb?: number }];
        } catch {
          return [];
        }
      })
      .find((l) => l.level === 60);
    expect(code, lines.slice(-10).join('\n')).toBe(70);
    expect(fatal?.msg).toMatch(/a workflow thread ran out of memory: the worker stopped in order/);
    // The limit the flags set (old space plus the young generation V8 adds to it).
    expect(fatal?.limitMb).toBeGreaterThanOrEqual(WORKER_HEAP_MB);
    expect(fatal?.limitMb).toBeLessThan(WORKER_HEAP_MB + 100);
    expect(lines.join('\n')).not.toMatch(/FATAL ERROR|Aborted|core dumped/);
  }, 120_000);
});
