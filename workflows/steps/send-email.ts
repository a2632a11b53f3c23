import { visitString, type StepHandler } from '../context';
import type { Step } from '../../journeys/schema';

type SendEmailStep = Extract<Step, { type: 'send_email' }>;

/** Never sleep less than this between deferrals (guards against a tight loop). */
const MIN_DEFERRAL_MS = 60_000;

/**
 * Sends one email; the activity guarantees at most one per (run, step). A send
 * the sending policy defers (frequency cap, quiet hours) sleeps on a durable
 * timer until the time the activity named and tries again with the same key;
 * the reason shows on the timeline (the send's status and this step's detail).
 * Goal events still end the run while it waits.
 */
export const sendEmailStep: StepHandler<SendEmailStep> = async (ctx, step) => {
  let deferrals = 0;
  let deferredReason: string | null = null;
  let deferredUntil: string | null = null;
  for (;;) {
    const r = await ctx.email.sendEmail({
      contactId: ctx.input.contactId,
      templateKey: step.template,
      workflowId: ctx.workflowId,
      stepId: step.id,
      visit: visitString(ctx.visit()),
      journeyKey: ctx.input.journeyKey,
      // The journey's category (its template's, when that is transactional).
      category: ctx.journeyCategory(),
      subject: step.subject,
      // Static data from the step, plus results of earlier steps (coupons, webhooks).
      data: { ...(step.data ?? {}), steps: ctx.state.vars, coupon: ctx.state.lastCoupon ?? null },
      // Workflow time: deterministic, and skipped in time-skipping tests.
      now: new Date(ctx.now()).toISOString(),
    });
    if (r.outcome === 'deferred' && r.until) {
      deferrals++;
      deferredReason ??= r.reason ?? null;
      deferredUntil = r.until;
      const ms = Math.max(MIN_DEFERRAL_MS, Date.parse(r.until) - ctx.now());
      const waited = await ctx.waitFor(ms);
      if (waited === 'interrupted') {
        return {
          outcome: 'interrupted',
          detail: {
            template: step.template,
            sendId: r.sendId ?? null,
            reason: 'run ended while the send was deferred',
            deferrals,
            deferredReason,
            deferredUntil,
          },
        };
      }
      continue;
    }
    return {
      outcome: r.outcome,
      detail: {
        template: step.template,
        sendId: r.sendId ?? null,
        reason: r.reason ?? null,
        ...(deferrals > 0 ? { deferrals, deferredReason, deferredUntil } : {}),
      },
    };
  }
};
