import type { StepHandler } from '../context';
import type { Step } from '../../journeys/schema';

type ExitStep = Extract<Step, { type: 'exit' }>;

export const exitStep: StepHandler<ExitStep> = async (_ctx, step) => ({
  outcome: 'exited',
  detail: { reason: step.reason ?? null },
  end: 'exited',
});
