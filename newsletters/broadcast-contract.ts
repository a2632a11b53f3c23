// What the broadcast workflow (workflows/broadcast.ts), its activities and the
// newsletter use cases (newsletters/broadcasts.ts) share: the workflow id, its
// signals and query, and the shapes of its counts. No I/O, no Node built-ins:
// the workflow bundle includes it.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type BroadcastStatus = 'starting' | 'scheduled' | 'snapshotting' | 'sending' | 'paused' | 'completed' | 'cancelled' | 'failed';

export interface BroadcastCounts {
  audience: number;
  sent: number;
  failed: number;
  suppressed: number;
  skipped: number;
  /** Recipients not sent to yet (pending, including deferred ones). */
  remaining: number;
}

export interface BroadcastProgress extends BroadcastCounts {
  status: BroadcastStatus;
}

export const pauseBroadcastSignal = defineSignal('pauseBroadcast');
export const resumeBroadcastSignal = defineSignal('resumeBroadcast');
export const cancelBroadcastSignal = defineSignal('cancelBroadcast');
export const broadcastProgressQuery = defineQuery<BroadcastProgress>('progress');

export const broadcastWorkflowId = (broadcastId: string) => `broadcast/${broadcastId}`;
