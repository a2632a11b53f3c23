// Heartbeats for activities that do not send their own: while an activity with
// a heartbeat timeout runs, this tells Temporal every few seconds that its
// worker is alive. A worker that dies mid-activity is then noticed within the
// heartbeat timeout (seconds) instead of the start-to-close timeout (minutes),
// and the retry starts at once. Progress is not reported: only liveness.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

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
