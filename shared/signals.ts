// Signal and query definitions shared by the workflows and their callers (the
// dispatcher, the server's use cases). Definitions only: they import nothing of
// ours, so any layer may use them and the workflow bundle stays small.
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** What workflows receive as the `event` signal: what branching needs, without addresses or phone numbers. */
export interface JourneyEvent {
  eventId: string;
  type: string;
  properties: Record<string, unknown>;
  occurredAt: string;
}

/** An event about the contact; runs ignore the ones they do not wait for. */
export const eventSignal = defineSignal<[JourneyEvent]>('event');

/** Wakes runs held by a paused journey so they re-check at once. */
export const resumeSignal = defineSignal('resume');

export interface JourneyStatus {
  journeyKey: string;
  version: number;
  currentStep: string | null;
  /** ISO time the run next wakes up by itself, if it is waiting. */
  nextWakeAt: string | null;
  stepsTaken: number;
  paused: boolean;
}
export const statusQuery = defineQuery<JourneyStatus>('status');
