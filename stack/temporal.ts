// The Temporal dev server (Temporal CLI `server start-dev`) with file
// persistence and its Web UI, as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../lib/logger';
import { waitForPort } from './net';
import { temporalCliPath } from './tools';

export interface DevServer {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  dbFile: string | null;
  port: number;
  uiPort: number | null;
  log?: Logger;
  /** SQLite `synchronous` of the file store: `normal` (default) survives power loss; `off` trades that for speed. */
  sqliteSync?: 'normal' | 'off';
}): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', `synchronous=${opts.sqliteSync ?? 'normal'}`);
  }
  if (opts.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  // Its own process group: Ctrl-C in the terminal reaches us, and we stop
  // Temporal last, after the worker has drained. Killed with us if we die.
  const child: ChildProcess = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exited = false;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.stdout?.on('data', (d: Buffer) => opts.log?.debug({ temporal: d.toString().trim() }, 'temporal'));
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    await waitForPort('127.0.0.1', opts.port, 30_000, () => !exited);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`Temporal dev server did not start: ${(err as Error).message}\n${stderr}`);
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort === null ? null : `http://127.0.0.1:${opts.uiPort}`,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedP;
      clearTimeout(t);
      process.off('exit', killOnExit);
    },
  };
}
