import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Sets or unsets attributes, adds or removes tags, adds loyalty points, sets the tier. */
export const updateContactStep: StepHandler<StepOf<'update_contact'>> = async (ctx, step) => {
  const r = await ctx.acts.updateContact({
    contactId: ctx.input.contactId,
    changeId: ctx.visitKey(step.id),
    set: step.set,
    unset: step.unset,
    addTags: step.addTags,
    removeTags: step.removeTags,
    addPoints: step.addPoints,
    setTier: step.setTier,
    subscriptions: step.subscriptions,
  });
  return { outcome: r.applied ? 'updated' : 'skipped', detail: { changes: r.summary } };
};
