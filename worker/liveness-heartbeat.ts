// Heartbeats for activities that do not send their own: while an activity with
// a heartbeat timeout runs, this tells Temporal every few seconds that its
// worker is alive. A worker that dies mid-activity is then noticed within the
// heartbeat timeout (seconds) instead of the start-to-close timeout (minutes),
// and the retry starts at once. Progress is not reported: only liveness.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../lib/logger';
import { activityRetries } from '../lib/metrics';

export const livenessHeartbeat: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const timeout = ctx.info.heartbeatTimeoutMs;
      if (ctx.info.isLocal || !timeout) return next(input);
      const timer = setInterval(() => ctx.heartbeat(), Math.max(1000, Math.min(5000, timeout / 3)));
      try {
        return await next(input);
      } finally {
        clearInterval(timer);
      }
    },
  },
});

/**
 * Names every attempt after the first, in a log line and a metric
 * (`rapport_activity_retries_total{activity}`). An attempt that failed says so
 * where it failed; one whose worker vanished (killed, its host gone) leaves no
 * line of its own, so the retry is where it shows: which activity, which run,
 * which attempt, and how long after the first attempt was scheduled.
 */
export function retryNotice(log: Logger): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const { info } = ctx;
        if (info.attempt > 1) {
          activityRetries.inc({ activity: info.activityType });
          log.warn(
            {
              activity: info.activityType,
              activityId: info.activityId,
              attempt: info.attempt,
              workflowId: info.workflowExecution?.workflowId ?? null,
              taskQueue: info.taskQueue,
              local: info.isLocal,
              sinceFirstScheduledMs: Math.max(0, Date.now() - info.scheduledTimestampMs),
            },
            'activity retried: the previous attempt failed, or its worker was lost (no heartbeat within the heartbeat timeout)',
          );
        }
        return next(input);
      },
    },
  });
}
