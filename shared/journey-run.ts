// What a journey run is started with and carries across continue-as-new: the
// workflow's input, shared by the workflow and its starters (the dispatcher).
// Types only.
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
}
