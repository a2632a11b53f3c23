import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

export const exitStep: StepHandler<StepOf<'exit'>> = async (_ctx, step) => ({
  outcome: step.outcome,
  detail: { reason: step.reason ?? null },
  end: step.outcome,
});
