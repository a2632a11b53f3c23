// Render threads for bulk sends: a newsletter chunk's emails are rendered,
// tracked and built as MIME (email/prepare.ts) on worker threads, so that the
// activity's own thread, which a worker's database, SMTP and Temporal work all
// share, spends its time on them. `RENDER_THREADS` sets how many (default: one
// less than the CPUs the process may use, at most 4); 0 renders on the
// activity's thread, as journey sends always do (one message: a thread hop
// would only add latency).
import { availableParallelism } from 'node:os';
import Piscina from 'piscina';
import { prepareEmails, type PrepareBatch, type Prepared } from './prepare';

export interface Preparer {
  /** Render threads in use (0: the caller's thread). */
  readonly threads: number;
  prepare(batch: PrepareBatch): Promise<Prepared[]>;
  close(): Promise<void>;
}

export function defaultRenderThreads(): number {
  return Math.min(4, Math.max(0, availableParallelism() - 1));
}

/** A batch is split across threads only in parts at least this big: a task's round trip costs about one render. */
const MIN_JOBS_PER_PART = 25;

/** Renders on the caller's thread. */
export const inlinePreparer: Preparer = { threads: 0, prepare: prepareEmails, close: async () => undefined };

export function createPreparer(threads: number): Preparer {
  if (threads <= 0) return inlinePreparer;
  const pool = new Piscina<PrepareBatch, Prepared[]>({
    filename: new URL('./prepare-thread.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // The project runs from its TypeScript sources (tsx), in threads as in the process.
    execArgv: ['--import', 'tsx'],
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  return {
    threads,
    async prepare(batch) {
      const parts = Math.max(1, Math.min(threads, Math.floor(batch.jobs.length / MIN_JOBS_PER_PART)));
      const size = Math.ceil(batch.jobs.length / parts);
      const slices = Array.from({ length: parts }, (_, i) => batch.jobs.slice(i * size, (i + 1) * size));
      const results = await Promise.all(slices.map((jobs) => pool.run({ ...batch, jobs })));
      return results.flat();
    },
    close: () => pool.destroy(),
  };
}
