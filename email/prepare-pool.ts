// Render threads for bulk sends: a newsletter chunk's emails are rendered,
// tracked and built as MIME (email/prepare.ts) on worker threads, so that the
// activity's own thread, which a worker's database, SMTP and Temporal work all
// share, spends its time on them. `RENDER_THREADS` sets how many (default: one
// less than the CPUs the process may use, at most 4); 0 renders on the
// activity's thread, as journey sends always do (one message: a thread hop
// would only add latency). A thread holds ~80 MB, so a worker that has sent
// no newsletter for a while lets its threads go; a broadcast's first activity
// starts them again while it snapshots the audience.
import { availableParallelism } from 'node:os';
import Piscina from 'piscina';
import { prepareEmails, type PrepareBatch, type Prepared } from './prepare';

export interface Preparer {
  /** Render threads in use (0: the caller's thread). */
  readonly threads: number;
  /** Whether its threads are up now (they go after a while without work). */
  readonly active: boolean;
  prepare(batch: PrepareBatch): Promise<Prepared[]>;
  /** Starts the threads if they were let go (a thread takes about a second to load the renderer). */
  warm(): void;
  close(): Promise<void>;
}

export function defaultRenderThreads(): number {
  return Math.min(4, Math.max(0, availableParallelism() - 1));
}

/** A batch is split across threads only in parts at least this big: a task's round trip costs about one render. */
const MIN_JOBS_PER_PART = 25;

/** Renders on the caller's thread. */
export const inlinePreparer: Preparer = {
  threads: 0,
  active: false,
  prepare: prepareEmails,
  warm: () => undefined,
  close: async () => undefined,
};

/** How long threads stay without work before they are let go. */
export const RENDER_THREADS_IDLE_MS = 5 * 60_000;

export function createPreparer(threads: number, opts: { idleMs?: number } = {}): Preparer {
  if (threads <= 0) return inlinePreparer;
  const idleMs = opts.idleMs ?? RENDER_THREADS_IDLE_MS;
  let pool: Piscina<PrepareBatch, Prepared[]> | null = null;
  let running = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const start = () =>
    (pool ??= new Piscina<PrepareBatch, Prepared[]>({
      filename: new URL('./prepare-thread.ts', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // The project runs from its TypeScript sources (tsx), in threads as in the process.
      execArgv: ['--import', 'tsx'],
      idleTimeout: Number.POSITIVE_INFINITY,
    }));
  /** Destroys the threads if up; the next batch or warm-up starts new ones. */
  const stop = () => {
    const open = pool;
    pool = null;
    return open?.destroy();
  };
  // Counted from the last batch's end (or a warm-up): the threads never go while a batch runs.
  const armIdleTimer = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = running === 0 ? setTimeout(() => void stop(), idleMs).unref() : null;
  };
  const warm = () => {
    start();
    armIdleTimer();
  };
  // Ready at once: a fresh worker is usually started to send.
  warm();
  return {
    threads,
    get active() {
      return pool !== null;
    },
    async prepare(batch) {
      const threadPool = start();
      running++;
      armIdleTimer();
      try {
        const parts = Math.max(1, Math.min(threads, Math.floor(batch.jobs.length / MIN_JOBS_PER_PART)));
        const size = Math.ceil(batch.jobs.length / parts);
        const slices = Array.from({ length: parts }, (_, i) => batch.jobs.slice(i * size, (i + 1) * size));
        const results = await Promise.all(slices.map((jobs) => threadPool.run({ ...batch, jobs })));
        return results.flat();
      } finally {
        running--;
        armIdleTimer();
      }
    },
    warm,
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      await stop();
    },
  };
}
