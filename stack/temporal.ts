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
    args.push(
      '--db-filename',
      opts.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      `synchronous=${opts.sqliteSync ?? 'normal'}`,
    );
  }
  if (opts.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  const cli = temporalCliPath();
  // Its own process group: Ctrl-C in the terminal reaches us, and we stop
  // Temporal last, after the worker has drained. Killed with us if we die.
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exited = false;
  let spawnError: NodeJS.ErrnoException | null = null;
  let stderr = '';
  // A binary that cannot be run (missing, not executable) is reported here, not as an unhandled event.
  child.once('error', (err) => {
    spawnError = err;
    exited = true;
    process.off('exit', killOnExit);
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.stdout?.on('data', (d: Buffer) => opts.log?.debug({ temporal: d.toString().trim() }, 'temporal'));
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    await waitForPort('127.0.0.1', opts.port, 30_000, () => !exited);
  } catch (err) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw new Error(startFailure(cli, opts.port, spawnError, (err as Error).message, stderr), { cause: err });
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

const OR_EXTERNAL = 'Or set TEMPORAL_ADDRESS to use a Temporal server that is already running.';

/** One paragraph: what failed, why, what to do. */
function startFailure(cli: string, port: number, spawnError: NodeJS.ErrnoException | null, waitError: string, stderr: string): string {
  if (spawnError?.code === 'ENOENT') {
    return (
      `The Temporal dev server could not start: the Temporal CLI ${cli} does not exist. Run \`node scripts/setup.mjs\` ` +
      `(npm start does) to build it, or set TEMPORAL_CLI to a Temporal CLI. ${OR_EXTERNAL}`
    );
  }
  if (spawnError?.code === 'EACCES') {
    return (
      `The Temporal dev server could not start: the Temporal CLI ${cli} cannot be run: permission denied (EACCES: ` +
      `it is not executable, or a folder above it is not traversable, or it is on a noexec mount). \`chmod +x\` it, ` +
      `or set TEMPORAL_CLI to a Temporal CLI that can run. ${OR_EXTERNAL}`
    );
  }
  if (spawnError) {
    return (
      `The Temporal dev server could not start: ${cli} could not be run (${spawnError.code ?? 'error'}: ${spawnError.message}). ` +
      `Set TEMPORAL_CLI to a working Temporal CLI. ${OR_EXTERNAL}`
    );
  }
  const lines = stderr
    .replace(/\x1b\[[0-9;]*m/g, '')
    .trim()
    .split('\n')
    .slice(-8)
    .map((l) => `    ${l}`)
    .join('\n');
  const portTaken = /address already in use/i.test(stderr);
  return (
    `The Temporal dev server (${cli}) did not start: ${waitError}.` +
    (lines ? ` Its last lines:\n${lines}\n` : ' It printed nothing. ') +
    (portTaken ? 'A port it needs is in use: stop the program holding it or choose other ports. ' : 'Fix the cause above. ') +
    OR_EXTERNAL
  );
}
