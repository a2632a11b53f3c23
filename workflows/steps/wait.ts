import { durationMs } from '../../journeys/duration';
import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Waits a fixed duration. Goal events still end the run meanwhile. */
export const waitStep: StepHandler<StepOf<'wait'>> = async (ctx, step) => {
  const ms = durationMs(step.duration);
  const outcome = await ctx.waitFor(ms);
  return { outcome: outcome === 'interrupted' ? 'interrupted' : 'waited', detail: { duration: step.duration } };
};
