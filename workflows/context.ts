// What a step handler gets: the run's identity, activity proxies, and a way to
// write its decision on the contact's timeline.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RunStatus } from '../activities/journeys';
import type { JourneyEvent } from '../events/schema';
import type { Step } from '../journeys/schema';

export interface JourneyInput {
  contactId: string;
  journeyKey: string;
  /** The published version this run is pinned to. */
  version: number;
  /** Task queue for email activities; defaults to the workflow's own. */
  emailTaskQueue?: string;
  /** Internal: where a continued-as-new run resumes. */
  resumeAt?: string;
}

export interface StepResult {
  /** Short machine-readable outcome shown on the timeline, e.g. "sent", "waited". */
  outcome: string;
  detail?: Record<string, string | number | boolean | null>;
  /** Overrides the definition's next step (branches). */
  next?: string | null;
  /** Ends the run with this status. */
  end?: RunStatus;
}

export interface StepContext {
  input: JourneyInput;
  workflowId: string;
  acts: Pick<Activities, 'journeyStep' | 'recordStep' | 'runFinished'>;
  email: Pick<Activities, 'sendEmail'>;
  /** Events received by signal, oldest first (deduplicated by event id). */
  events: JourneyEvent[];
  /** Set by waiting steps so the status query can report the next wake-up. */
  setNextWake(at: Date | null): void;
}

export type StepHandler<S extends Step = Step> = (ctx: StepContext, step: S) => Promise<StepResult>;

export function createContext(input: JourneyInput, events: JourneyEvent[], setNextWake: (at: Date | null) => void): StepContext {
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  const email = proxyActivities<Activities>({
    taskQueue: input.emailTaskQueue,
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
  });
  return { input, workflowId: workflowInfo().workflowId, acts, email, events, setNextWake };
}
