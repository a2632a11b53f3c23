import type { StepHandler } from '../context';
import type { Step } from '../../journeys/schema';

type SendEmailStep = Extract<Step, { type: 'send_email' }>;

/** Sends one email; the activity guarantees at most one per (run, step). */
export const sendEmailStep: StepHandler<SendEmailStep> = async (ctx, step) => {
  const r = await ctx.email.sendEmail({
    contactId: ctx.input.contactId,
    templateKey: step.template,
    workflowId: ctx.workflowId,
    stepId: step.id,
    journeyKey: ctx.input.journeyKey,
    subject: step.subject,
  });
  return { outcome: r.outcome, detail: { template: step.template, sendId: r.sendId ?? null, reason: r.reason ?? null } };
};
