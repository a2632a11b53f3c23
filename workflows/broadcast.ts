// One newsletter broadcast = one workflow (`broadcast/<id>`), never one per
// recipient. It snapshots the audience once, then sends in chunks through an
// activity, several chunks at once ("lanes": several worker processes share a
// broadcast). The rate is a token bucket in workflow time: a chunk of k
// recipients takes k tokens before it starts, tokens refill at `ratePerMinute`
// (also while chunks run: no sleep on top of the sending), unused tokens
// (recipients suppressed, skipped or deferred) are given back, and the bucket
// holds at most one chunk per lane (the burst). A new broadcast's lanes start
// with small chunks (RAMP_PATCH), so SMTP starts while the next render. Pause, resume and cancel are
// signals, seen between chunks (a chunk in flight finishes); `progress` is a
// query. Long broadcasts continue-as-new, carrying only their flags, counts and
// bucket; the recipient table is the real state.
//
// Runs started before chunks (one batch at a time, a sleep after each) replay
// on the old loop (`patched`), and take the new one at their next
// continue-as-new.
// An activity that fails for good (e.g. an unknown template) marks the
// broadcast `failed` before the workflow fails; a cancelled run marks it
// `cancelled`.
// Deterministic: all I/O happens in activities.
import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  TemporalFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBroadcastActivities } from '../activities/broadcast';
import {
  broadcastProgressQuery,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  resumeBroadcastSignal,
  type BroadcastCounts,
  type BroadcastProgress,
  type BroadcastStatus,
} from '../newsletters/broadcast-contract';

export {
  broadcastProgressQuery,
  broadcastWorkflowId,
  cancelBroadcastSignal,
  pauseBroadcastSignal,
  resumeBroadcastSignal,
  type BroadcastProgress,
} from '../newsletters/broadcast-contract';

export interface BroadcastState {
  snapshotted: boolean;
  paused: boolean;
  cancelled: boolean;
  counts: BroadcastCounts;
  /** The rate's token bucket: tokens, and the workflow time (ms) they were counted at. */
  bucket?: { tokens: number; at: number };
}

export interface BroadcastInput {
  broadcastId: string;
  ratePerMinute: number;
  /** Recipients per chunk (activity call); default ~5 s worth of the rate, 1..250. */
  batchSize?: number;
  /** Chunks in flight at once; default by rate, 1..4. */
  lanes?: number;
  /** SMTP conversations at once within a chunk (default 8; the transport's pool bounds connections). */
  smtpConcurrency?: number;
  /** Continue as new once history has this many events (default 2,000; tests force it lower). */
  historyLimit?: number;
  /** Internal: carried across continue-as-new. */
  state?: BroadcastState;
}

/** Before chunks: ~10 s worth of the rate, 1..100 (old runs replay with it). */
export function defaultBatchSize(ratePerMinute: number): number {
  return Math.min(100, Math.max(1, Math.ceil(ratePerMinute / 6)));
}

/** ~5 s worth of the rate, 1..250: big enough that a chunk's few statements are cheap per recipient. */
export function defaultChunkSize(ratePerMinute: number): number {
  return Math.min(250, Math.max(1, Math.ceil(ratePerMinute / 12)));
}

/** One lane up to 3,000 a minute, then one more per 3,000, at most 4. */
export function defaultLanes(ratePerMinute: number): number {
  return Math.min(4, Math.max(1, Math.ceil(ratePerMinute / 3000)));
}

/** The patch that introduced chunks in lanes and the token bucket. */
export const CHUNKED_PATCH = 'broadcast-chunked-lanes';
/** The patch that made each lane's first chunk small (below). */
export const RAMP_PATCH = 'broadcast-ramp-up';
/**
 * A new broadcast's first chunk per lane: a chunk's emails are all rendered
 * before any is sent, so small first chunks get SMTP going while the next
 * ones render, instead of every lane waiting for a full chunk to be ready.
 */
const FIRST_CHUNK = 50;

const EMPTY: BroadcastCounts = { audience: 0, sent: 0, failed: 0, suppressed: 0, skipped: 0, remaining: 0 };
/** When nothing is due yet and no time is known, look again after this long. */
const IDLE_RECHECK_MS = 60_000;

type BroadcastActivities = ReturnType<typeof createBroadcastActivities>;

export async function broadcastWorkflow(input: BroadcastInput): Promise<BroadcastProgress> {
  const acts = proxyActivities<BroadcastActivities>({
    startToCloseTimeout: '10 minutes',
    // Batches heartbeat per recipient: a batch on a worker that died is retried within a minute.
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const state: BroadcastState = input.state ?? { snapshotted: false, paused: false, cancelled: false, counts: EMPTY };
  let status: BroadcastStatus = state.snapshotted ? (state.paused ? 'paused' : 'sending') : 'snapshotting';
  const batchSize = input.batchSize ?? defaultBatchSize(input.ratePerMinute);
  const historyLimit = input.historyLimit ?? 2000;

  setHandler(pauseBroadcastSignal, () => void (state.paused = true));
  setHandler(resumeBroadcastSignal, () => void (state.paused = false));
  setHandler(cancelBroadcastSignal, () => void (state.cancelled = true));
  setHandler(broadcastProgressQuery, () => ({ status, ...state.counts }));

  const finish = async (final: 'completed' | 'cancelled'): Promise<BroadcastProgress> => {
    state.counts = await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: final });
    status = final;
    return { status, ...state.counts };
  };

  /** The audience, once per broadcast (both loops start here). */
  const snapshotOnce = async (): Promise<void> => {
    if (state.snapshotted) return;
    state.counts = await acts.snapshotBroadcastAudience({ broadcastId: input.broadcastId, now: new Date().toISOString() });
    state.snapshotted = true;
    status = 'sending';
  };

  /** A paused broadcast says so, then waits for resume or cancel (both loops, same commands). */
  const holdWhilePaused = async (): Promise<'resumed' | 'cancelled'> => {
    status = 'paused';
    await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: 'paused' });
    await condition(() => !state.paused || state.cancelled);
    if (state.cancelled) return 'cancelled';
    status = 'sending';
    await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: 'sending' });
    return 'resumed';
  };

  /** Before chunks: one batch at a time, then a sleep of its share of a minute. Kept for runs recorded so. */
  const runBatches = async (): Promise<BroadcastProgress | 'continue'> => {
    await snapshotOnce();

    for (;;) {
      if (state.cancelled) return finish('cancelled');
      if (state.paused && (await holdWhilePaused()) === 'cancelled') continue;
      const r = await acts.sendBroadcastBatch({ broadcastId: input.broadcastId, limit: batchSize, now: new Date().toISOString() });
      state.counts = r.counts;
      if (r.counts.remaining === 0) return finish('completed');

      // The rate: this batch's share of a minute. Nothing due (all deferred): until the first is.
      const waitMs =
        r.processed > 0
          ? Math.ceil((r.processed * 60_000) / input.ratePerMinute)
          : r.nextDueAt
            ? Math.max(1000, Date.parse(r.nextDueAt) - Date.now())
            : IDLE_RECHECK_MS;
      await condition(() => state.cancelled || state.paused, waitMs);

      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > historyLimit) return 'continue';
    }
  };

  /** The broadcast until it ends, or until its history asks for a new run ('continue'). */
  const runChunks = async (): Promise<BroadcastProgress | 'continue'> => {
    await snapshotOnce();
    const chunk = input.batchSize ?? defaultChunkSize(input.ratePerMinute);
    const lanes = input.lanes ?? defaultLanes(input.ratePerMinute);
    // Only a broadcast's first run ramps up (runs started before the patch replay without it).
    const firstChunk = input.state === undefined && patched(RAMP_PATCH) ? Math.min(chunk, FIRST_CHUNK) : chunk;
    const perMs = input.ratePerMinute / 60_000;
    const capacity = chunk * lanes;
    const bucket = state.bucket ?? { tokens: capacity, at: Date.now() };
    state.bucket = bucket;
    const refill = () => {
      const now = Date.now(); // the workflow's clock: deterministic
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
    };
    let done = false;
    let continueWanted = false;
    let progressed = 0;
    const stopping = () => done || continueWanted || state.paused || state.cancelled;

    const lane = async (): Promise<void> => {
      let size = firstChunk;
      while (!stopping()) {
        refill();
        const want = Math.min(size, Math.max(1, state.counts.remaining));
        if (bucket.tokens < want) {
          await condition(stopping, Math.max(1, Math.ceil((want - bucket.tokens) / perMs)));
          continue;
        }
        bucket.tokens -= want;
        size = chunk;
        const r = await acts.sendBroadcastBatch({
          broadcastId: input.broadcastId,
          limit: want,
          now: new Date().toISOString(),
          concurrency: input.smtpConcurrency,
        });
        refill();
        // Only SMTP conversations spend the rate.
        bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, want - (r.smtpSends ?? r.processed)));
        // Lanes answer out of order: the count with fewer remaining is the later one.
        if (r.counts.remaining <= state.counts.remaining) state.counts = r.counts;
        progressed++;
        if (r.counts.remaining === 0) {
          done = true;
          return;
        }
        if (r.processed === 0) {
          // Nothing due: the rest is in other lanes' chunks (wait for one to end) or deferred (until the first is due).
          const seen = progressed;
          const waitMs = r.nextDueAt ? Math.max(1000, Date.parse(r.nextDueAt) - Date.now()) : IDLE_RECHECK_MS;
          await condition(() => stopping() || progressed > seen, waitMs);
        }
        const info = workflowInfo();
        if (info.continueAsNewSuggested || info.historyLength > historyLimit) continueWanted = true;
      }
    };

    for (;;) {
      if (state.cancelled) return finish('cancelled');
      if (state.paused && (await holdWhilePaused()) === 'cancelled') continue;
      // Every lane ends after its chunk in flight when the broadcast is done, paused, cancelled or due to continue as new.
      await Promise.all(Array.from({ length: lanes }, lane));
      if (done) return finish('completed');
      if (continueWanted && !state.paused && !state.cancelled) return 'continue';
    }
  };

  let outcome: BroadcastProgress | 'continue';
  try {
    outcome = patched(CHUNKED_PATCH) ? await runChunks() : await runBatches();
  } catch (err) {
    // An activity that gave up (e.g. an unknown template) or a cancelled run: the
    // broadcast's row says so, instead of "sending" forever. Then the run ends
    // the way it would have (failed or cancelled).
    if (isCancellation(err)) {
      status = 'cancelled';
      await CancellationScope.nonCancellable(async () => {
        state.counts = await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: 'cancelled' });
      });
    } else if (err instanceof TemporalFailure) {
      status = 'failed';
      state.counts = await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: 'failed' });
    }
    throw err;
  }
  return outcome === 'continue' ? continueAsNew<typeof broadcastWorkflow>({ ...input, state }) : outcome;
}
