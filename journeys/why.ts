// Why a journey step did what it did, in one field: `why` on each journey_step
// entry of a contact's timeline (contacts/timeline.ts) and on each simulated
// step and decision (simulator/simulate.ts). Computed from the step's logged
// detail when it is read, so an erased contact's emptied detail erases it too.

/** Step types whose outcome is a decision (a branch taken, a variant, an event or its absence, a human's answer). */
export const DECISION_TYPES: ReadonlySet<string> = new Set(['branch', 'split', 'wait_for_event', 'approval']);

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The reason of a step from its type, outcome and logged detail; null when it
 * has none (a wait, a contact update, a send that went out).
 *
 * Branches and skipped tasks log `detail.why`; sends, exits and a run's end
 * (`(end)`) log `detail.reason`, the older name, which the /v1 timeline still
 * carries as a deprecated alias. Splits, waits for events and approvals log
 * what decided them, described here.
 */
export function stepWhy(type: string, outcome: string, detail: unknown): string | null {
  const d = detail !== null && typeof detail === 'object' && !Array.isArray(detail) ? (detail as Record<string, unknown>) : {};
  const logged = text(d.why) ?? text(d.reason);
  if (logged) return logged;
  if (type === 'split' && d.variant !== undefined) return `bucket ${String(d.bucket)} of 100 falls in variant ${String(d.variant)}`;
  if (type === 'wait_for_event' && d.event !== undefined)
    return outcome === 'event_received' ? `"${String(d.event)}" arrived` : `no "${String(d.event)}" within ${String(d.timeout)}`;
  if (type === 'approval' && d.decision !== undefined) {
    if (d.timedOut === true) return `no decision before the deadline: ${String(d.decision)}`;
    const by = text(d.by);
    return `decided${by ? ` by ${by}` : ''}: ${String(d.decision)}`;
  }
  return null;
}
