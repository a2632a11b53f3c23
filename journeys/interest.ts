// Which events a run of a journey can react to. The dispatcher signals a run
// only with those: every other event would cost the Temporal server a signal
// and a workflow task, and the run would drop it. A run reacts to
//   - its goals' events (end or jump),
//   - the events its wait_for_event steps wait for,
//   - approval decisions, when the journey has an approval step,
//   - for a date trigger, the events that can move the date it waits for,
//   - the contact's deletion (every run ends at once).
// Matching is by event type only; a goal's `where` is checked by the run.
import { SYSTEM_EVENTS } from './match';
import type { JourneyDefinition } from './schema';

export interface EventLike {
  type: string;
  properties: Record<string, unknown>;
}

/** Events that can move the contact field a date trigger watches. */
export function dateFieldEvents(field: string): (e: EventLike) => boolean {
  if (field === 'lastPurchaseAt' || field === 'nextPurchaseDueAt') return (e) => e.type === 'purchase';
  if (field === 'lastClickAt') return (e) => e.type === 'email_clicked';
  if (field === 'lastOpenAt') return (e) => e.type === 'email_opened';
  if (field.startsWith('attributes.')) {
    const attr = field.slice('attributes.'.length);
    return (e) => e.type === SYSTEM_EVENTS.attributeChanged && e.properties.attribute === attr;
  }
  return () => true; // createdAt: any event about the contact
}

/** A predicate: whether a run of `def` should be signalled with the event. */
export function runHearsOf(def: JourneyDefinition): (e: EventLike) => boolean {
  const types = new Set<string>([SYSTEM_EVENTS.contactDeleted, ...def.goals.map((g) => g.event)]);
  for (const s of def.steps) {
    if (s.type === 'wait_for_event') types.add(s.event);
    if (s.type === 'approval') types.add(SYSTEM_EVENTS.approvalDecided);
  }
  const moved = def.trigger.type === 'date' ? dateFieldEvents(def.trigger.field) : () => false;
  return (e) => types.has(e.type) || moved(e);
}
