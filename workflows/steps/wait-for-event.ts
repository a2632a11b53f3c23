import { durationMs } from '../../journeys/duration';
import { matchesEvent } from '../../journeys/match';
import type { StepOf } from '../../journeys/schema';
import type { StepHandler } from '../context';

/** Waits for an event (signals arrive within a second) or a timeout, and branches on which came first. */
export const waitForEventStep: StepHandler<StepOf<'wait_for_event'>> = async (ctx, step) => {
  const since = ctx.state.seq;
  const ms = durationMs(step.timeout);
  const match = () => ctx.eventsAfter(since).find((e) => matchesEvent(e, step));
  const outcome = await ctx.waitFor(ms, () => match() !== undefined);
  if (outcome === 'interrupted') return { outcome: 'interrupted', next: null };
  if (outcome === 'ready') {
    return { outcome: 'event_received', detail: { event: step.event, eventId: match()!.eventId }, next: step.onEvent };
  }
  return { outcome: 'timed_out', detail: { event: step.event, timeout: step.timeout }, next: step.onTimeout };
};
