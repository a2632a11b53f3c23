import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Creates a sales task ("call this prospect in three days") and emails its owner. */
export const createTaskStep: StepHandler<StepOf<'create_task'>> = async (ctx, step) => {
  // The goal event that jumped here says why; otherwise the latest event.
  const lastEvent = ctx.jumpEvent ?? ctx.state.events[ctx.state.events.length - 1];
  const r = await ctx.acts.createSalesTask({
    contactId: ctx.input.contactId,
    workflowId: ctx.workflowId,
    key: ctx.visitKey(step.id),
    owner: step.owner,
    fallbackOwner: step.fallbackOwner,
    due: step.due,
    reason: step.reason,
    notify: step.notify,
    event: lastEvent ? { type: lastEvent.type, properties: lastEvent.properties } : null,
    now: new Date(ctx.now()).toISOString(),
  });
  if (!r.taskId) return { outcome: 'skipped', detail: { why: r.why } };
  return { outcome: 'task_created', detail: { taskId: r.taskId, owner: r.owner, due: r.dueAt, notified: r.notified } };
};
