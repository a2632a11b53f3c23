// One handler per step type; the interpreter looks them up here.
import type { Step, StepType } from '../../journeys/schema';
import type { StepContext, StepHandler, StepResult } from '../context';
import { exitStep } from './exit';
import { sendEmailStep } from './send-email';
import { waitStep } from './wait';

const handlers: { [T in StepType]: StepHandler<Extract<Step, { type: T }>> } = {
  send_email: sendEmailStep,
  wait: waitStep,
  exit: exitStep,
};

export function runStep(ctx: StepContext, step: Step): Promise<StepResult> {
  const handler = handlers[step.type] as StepHandler;
  return handler(ctx, step);
}
