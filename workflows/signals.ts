// Signal and query definitions shared by the workflows and their callers.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyEvent } from '../events/schema';

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
