// Activity interceptor: a retried attempt is logged and counted, so that an
// attempt lost with its worker (which leaves no line of its own) shows.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../lib/logger';
import { activityRetries } from '../lib/metrics';

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
