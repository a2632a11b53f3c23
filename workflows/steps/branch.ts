import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Takes the first case whose condition holds (evaluated on fresh data), else `otherwise`. */
export const branchStep: StepHandler<StepOf<'branch'>> = async (ctx, step) => {
  const r = await ctx.acts.evaluateBranch({
    contactId: ctx.input.contactId,
    conditions: step.cases.map((c) => c.when),
    vars: ctx.state.vars,
    now: new Date(ctx.now()).toISOString(),
  });
  if (r.matched === null) {
    return { outcome: 'otherwise', detail: { why: r.explanations.join('; ') }, next: step.otherwise };
  }
  const chosen = step.cases[r.matched]!;
  return {
    outcome: chosen.label ?? `case_${r.matched + 1}`,
    detail: { why: r.explanations[r.matched] ?? '' },
    next: chosen.next,
  };
};
