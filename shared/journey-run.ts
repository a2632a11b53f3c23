// What a journey run is started with and carries across continue-as-new: the
// workflow's input, shared by the workflow and its starters (the dispatcher).
// Types, and the interpreter generation new runs are started with.
import type { JourneyEvent } from './signals';

export interface ReceivedEvent extends JourneyEvent {
  /** Arrival order within the run (survives continue-as-new). */
  seq: number;
}

export interface WebhookResult {
  status: number;
  body: unknown;
  error?: string;
}

/** What a run carries across continue-as-new. Kept small on purpose. */
export interface RunState {
  stepsTaken: number;
  seq: number;
  events: ReceivedEvent[];
  seen: string[];
  vars: Record<string, WebhookResult>;
  triggerEventId: string | null;
  /** Goal events already acted on by jumping to a step (so they fire once). */
  consumed?: string[];
  /** The coupon most recently issued in this run: emails show it as {{data.coupon.code}}. */
  lastCoupon?: Record<string, unknown>;
}

/**
 * The interpreter generation a run is started with (JourneyInput.engine).
 * Generation 1 takes every path the patches below it introduced: local
 * activities (journey-local-activities-v1), the merged step lookups
 * (journey-steps-merged) and the record of a failed run
 * (journey-records-failed-run), without calling patched() for them. Each
 * patched() call writes a marker and a TemporalChangeVersion search-attribute
 * upsert (a visibility write on the server) into every new run's first
 * workflow task; the generation is in the run's input, so it is as
 * deterministic as a marker and costs nothing.
 *
 * A later change of behaviour: raise this to N and branch on
 * `(input.engine ?? 0) >= N || patched('the-change')`, so runs started with an
 * older generation still decide by the marker.
 */
export const JOURNEY_ENGINE = 1;

export interface JourneyInput {
  contactId: string;
  journeyKey: string;
  /** The published version this run is pinned to. */
  version: number;
  /** Task queue for email activities; defaults to the workflow's own. */
  emailTaskQueue?: string;
  /** The event that started the run (it never counts as a goal). */
  triggerEventId?: string;
  /** Continue as new once history has this many events (default 2,000; tests force it lower). */
  historyLimit?: number;
  /** Internal: an annual date-triggered run's next occurrence is not before this (ISO). */
  notBefore?: string;
  /** Internal: where a continued-as-new run resumes, and what it carries. */
  resumeAt?: string;
  state?: RunState;
  /**
   * The interpreter generation the run was started with (JOURNEY_ENGINE);
   * carried across continue-as-new. Absent in runs started before it: they
   * decide by their patch markers.
   */
  engine?: number;
}

/** Whether a run's generation includes generation `n`'s behaviour (no marker needed). */
export function engineAtLeast(input: Pick<JourneyInput, 'engine'>, n: number): boolean {
  return (input.engine ?? 0) >= n;
}
