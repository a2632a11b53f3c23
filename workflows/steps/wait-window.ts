import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Waits until the contact's local time is inside a window (e.g. weekdays 09:00-17:00). */
export const waitWindowStep: StepHandler<StepOf<'wait_until_window'>> = async (ctx, step) => {
  const { at, timeZone } = await ctx.acts.nextWindowStart({
    contactId: ctx.input.contactId,
    days: step.days,
    start: step.start,
    end: step.end,
    now: new Date(ctx.now()).toISOString(),
  });
  const ms = Date.parse(at) - ctx.now();
  if (ms <= 0) return { outcome: 'in_window', detail: { timeZone } };
  const outcome = await ctx.waitFor(ms);
  return {
    outcome: outcome === 'interrupted' ? 'interrupted' : 'deferred_to_window',
    detail: { until: at, timeZone, window: `${step.days.join(',')} ${step.start}-${step.end}` },
  };
};
