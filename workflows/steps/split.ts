import { bucket } from '../../journeys/match';
import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** A/B split: a stable bucket per contact and step, so a contact always gets the same variant. */
export const splitStep: StepHandler<StepOf<'split'>> = async (ctx, step) => {
  const b = bucket(`${ctx.input.contactId}:${ctx.input.journeyKey}:${step.id}`);
  let upper = 0;
  for (const v of step.variants) {
    upper += v.percent;
    if (b < upper) return { outcome: `variant_${v.name}`, detail: { bucket: b, variant: v.name }, next: v.next };
  }
  const last = step.variants[step.variants.length - 1]!;
  return { outcome: `variant_${last.name}`, detail: { bucket: b, variant: last.name }, next: last.next };
};
