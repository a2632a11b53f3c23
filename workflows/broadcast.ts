// One newsletter broadcast = one workflow (`broadcast/<id>`), never one per
// recipient. It snapshots the audience once, then sends in batches through an
// activity, sleeping between batches (a durable timer) so that no more than
// `ratePerMinute` messages go out per minute. Pause, resume and cancel are
// signals; `progress` is a query. Long broadcasts continue-as-new, carrying
// only their flags and last counts; the recipient table is the real state.
// An activity that fails for good (e.g. an unknown template) marks the
// broadcast `failed` before the workflow fails; a cancelled run marks it
// `cancelled`.
// Deterministic: all I/O happens in activities.
import {
  CancellationScope, condition, continueAsNew, defineQuery, defineSignal, isCancellation, proxyActivities, setHandler, TemporalFailure, workflowInfo,
} from '@temporalio/workflow';
import type { BroadcastCounts, BroadcastStatus, createBroadcastActivities } from '../activities/broadcast';

export const pauseBroadcastSignal = defineSignal('pauseBroadcast');
export const resumeBroadcastSignal = defineSignal('resumeBroadcast');
export const cancelBroadcastSignal = defineSignal('cancelBroadcast');

export interface BroadcastProgress extends BroadcastCounts {
  status: BroadcastStatus;
}
export const broadcastProgressQuery = defineQuery<BroadcastProgress>('progress');

export interface BroadcastState {
  snapshotted: boolean;
  paused: boolean;
  cancelled: boolean;
  counts: BroadcastCounts;
}

export interface BroadcastInput {
  broadcastId: string;
  ratePerMinute: number;
  /** Recipients per activity call; default ~10 s worth of the rate, 1..100. */
  batchSize?: number;
  /** Continue as new once history has this many events (default 2,000; tests force it lower). */
  historyLimit?: number;
  /** Internal: carried across continue-as-new. */
  state?: BroadcastState;
}

export const broadcastWorkflowId = (broadcastId: string) => `broadcast/${broadcastId}`;

export function defaultBatchSize(ratePerMinute: number): number {
  return Math.min(100, Math.max(1, Math.ceil(ratePerMinute / 6)));
}

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

  /** The broadcast until it ends, or until its history asks for a new run ('continue'). */
  const run = async (): Promise<BroadcastProgress | 'continue'> => {
    if (!state.snapshotted) {
      state.counts = await acts.snapshotBroadcastAudience({ broadcastId: input.broadcastId, now: new Date().toISOString() });
      state.snapshotted = true;
      status = 'sending';
    }

    for (;;) {
      if (state.cancelled) return finish('cancelled');
      if (state.paused) {
        status = 'paused';
        await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: 'paused' });
        await condition(() => !state.paused || state.cancelled);
        if (state.cancelled) continue;
        status = 'sending';
        await acts.setBroadcastStatus({ broadcastId: input.broadcastId, status: 'sending' });
      }
      const r = await acts.sendBroadcastBatch({ broadcastId: input.broadcastId, limit: batchSize, now: new Date().toISOString() });
      state.counts = r.counts;
      if (r.counts.remaining === 0) return finish('completed');

      // The rate: this batch's share of a minute. Nothing due (all deferred): until the first is.
      const waitMs = r.processed > 0
        ? Math.ceil((r.processed * 60_000) / input.ratePerMinute)
        : r.nextDueAt ? Math.max(1000, Date.parse(r.nextDueAt) - Date.now()) : IDLE_RECHECK_MS;
      await condition(() => state.cancelled || state.paused, waitMs);

      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > historyLimit) return 'continue';
    }
  };

  let outcome: BroadcastProgress | 'continue';
  try {
    outcome = await run();
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
