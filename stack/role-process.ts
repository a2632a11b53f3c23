// One Rapport role (`cli/rapport.ts worker|server`) as a child process, the way
// an operator runs it: its own event loop and database pool, so that taking
// events, dispatching them and running workflows never starve one another.
// Used by `npm start` and by the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setsHeap, WORKER_NODE_FLAGS } from '../config/worker-heap';
import { ROOT } from './tools';

export type Role = 'worker' | 'server';

/** The log line (pino's `msg`) each role writes once it is ready. */
const READY: Record<Role, string> = { worker: 'worker running', server: 'HTTP server listening' };

export interface RoleProcess {
  role: Role;
  pid: number;
  /** The ready line's fields (the server's `url`, say). */
  ready: Record<string, unknown>;
  /** Resolves with the exit code when the process ends, for whatever reason. */
  exited: Promise<number | null>;
  /** Resident set size now, in MB. */
  rssMb(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export class RoleStartError extends Error {
  override name = 'RoleStartError';
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // gone, or not Linux
  }
}

/**
 * Starts the role and resolves once it is ready. Its log lines go to `out`
 * as they come. It runs in its own process group, so a Ctrl-C in the terminal
 * reaches only `npm start`, which stops the parts in order; it watches its
 * parent and stops by itself if the parent dies (RAPPORT_PARENT_PID).
 */
export function startRole(
  role: Role,
  env: Record<string, string | undefined>,
  opts: { out?: (line: string) => void; timeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<RoleProcess> {
  const nodeArgs = opts.nodeArgs ?? [];
  // Workers start with their sized heap (config/worker-heap.ts) unless the caller or NODE_OPTIONS sets one.
  const heap = role === 'worker' && !setsHeap([...nodeArgs, ...(env.NODE_OPTIONS ?? '').split(' ')]) ? WORKER_NODE_FLAGS : [];
  const child: ChildProcess = spawn(process.execPath, [...heap, ...nodeArgs, '--import', 'tsx', join(ROOT, 'cli', 'rapport.ts'), role], {
    cwd: ROOT,
    env: { ...env, RAPPORT_PARENT_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  let tail: string[] = [];
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new RoleStartError(
          `The ${role} did not get ready within ${(opts.timeoutMs ?? 120_000) / 1000} s. Its last lines:\n${tail.join('\n')}`,
        ),
      );
    }, opts.timeoutMs ?? 120_000);
    const onLine = (line: string) => {
      if (!line) return;
      out(line);
      tail = [...tail, line].slice(-15);
      if (ready) return;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (parsed.msg !== READY[role]) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        role,
        pid: child.pid!,
        ready: parsed,
        exited,
        rssMb: () => rssMb(child.pid!),
        async stop(graceMs = 30_000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(kill);
        },
      });
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buf = '';
      stream.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) onLine(l);
      });
    }
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new RoleStartError(`The ${role} could not be started (${err.message}): is Node.js installed as ${process.execPath}?`));
    });
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new RoleStartError(`The ${role} exited (code ${code}) before it was ready. Its last lines:\n${tail.join('\n')}`));
    });
  });
}
