import { sleep } from '@temporalio/workflow';
import { parseDuration } from '../../journeys/duration';
import type { StepHandler } from '../context';
import type { Step } from '../../journeys/schema';

type WaitStep = Extract<Step, { type: 'wait' }>;

/** Waits a fixed duration (a durable timer: survives restarts, skips in tests). */
export const waitStep: StepHandler<WaitStep> = async (ctx, step) => {
  const ms = parseDuration(step.duration) ?? 0;
  ctx.setNextWake(new Date(Date.now() + ms));
  await sleep(ms);
  ctx.setNextWake(null);
  return { outcome: 'waited', detail: { duration: step.duration } };
};
