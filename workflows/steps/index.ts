// One handler per step type; the interpreter looks them up here.
import type { Step, StepOf, StepType } from '../../journeys/schema';
import type { StepContext, StepHandler, StepResult } from '../context';
import { approvalStep } from './approval';
import { branchStep } from './branch';
import { createTaskStep } from './create-task';
import { enrolStep } from './enrol';
import { exitStep } from './exit';
import { issueCouponStep } from './issue-coupon';
import { sendEmailStep } from './send-email';
import { splitStep } from './split';
import { updateContactStep } from './update-contact';
import { waitStep } from './wait';
import { waitForEventStep } from './wait-for-event';
import { waitWindowStep } from './wait-window';
import { webhookStep } from './webhook';

const handlers: { [T in StepType]: StepHandler<StepOf<T>> } = {
  send_email: sendEmailStep,
  wait: waitStep,
  wait_until_window: waitWindowStep,
  wait_for_event: waitForEventStep,
  branch: branchStep,
  split: splitStep,
  update_contact: updateContactStep,
  issue_coupon: issueCouponStep,
  create_task: createTaskStep,
  approval: approvalStep,
  webhook: webhookStep,
  enrol: enrolStep,
  exit: exitStep,
};

export function runStep(ctx: StepContext, step: Step): Promise<StepResult> {
  const handler = handlers[step.type] as StepHandler<Step>;
  return handler(ctx, step);
}
