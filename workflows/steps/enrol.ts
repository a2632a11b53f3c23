import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Enrols the contact in another journey (through the event outbox, so it is durable). */
export const enrolStep: StepHandler<StepOf<'enrol'>> = async (ctx, step) => {
  await ctx.acts.enrolContact({
    contactId: ctx.input.contactId,
    journey: step.journey,
    requestId: ctx.visitKey(step.id),
  });
  return { outcome: 'enrolled', detail: { journey: step.journey } };
};
