// The run's runtime as step handlers see it: identity, activity proxies, the
// events received so far, and interruptible waiting. Workflow code: no I/O.
import {
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { JourneyMeta, RunStatus } from '../activities/journeys';
import { matchesEvent, SYSTEM_EVENTS } from '../journeys/match';

export type { JourneyInput, ReceivedEvent, RunState, WebhookResult } from '../shared/journey-run';
import { engineAtLeast, type JourneyInput, type ReceivedEvent, type RunState } from '../shared/journey-run';

export interface StepResult {
  /** Short machine-readable outcome shown on the timeline, e.g. "sent", "waited". */
  outcome: string;
  /** Why: shown on the timeline next to the outcome. */
  detail?: Record<string, string | number | boolean | null | undefined>;
  /** Overrides the definition's next step (branches); null ends the run. */
  next?: string | null;
  /** Ends the run with this status. */
  end?: RunStatus;
}

export interface Interruption {
  status: RunStatus;
  reason: string;
  /** A goal that jumps to a step instead of ending the run. */
  next?: string;
  eventId?: string;
}

export type WaitOutcome = 'ready' | 'timeout' | 'interrupted';

export interface StepContext {
  input: JourneyInput;
  workflowId: string;
  state: RunState;
  /**
   * Activities. The short ones that only read or write our own database run as
   * local activities (see LOCAL_ACTIVITIES); the rest are scheduled through
   * Temporal on the journeys task queue.
   */
  acts: Activities;
  email: Pick<Activities, 'sendEmail'>;
  /** Whether this run uses local activities (every run started since the patch below). */
  localActivities: boolean;
  /** Activities with custom options (timeouts, retries) for one call site. */
  activitiesWith(options: ActivityOptions): Activities;
  /** Set when a goal event or the contact's deletion ends the run at any step. */
  interruption(): Interruption | null;
  /**
   * Waits until `ready()` holds, `ms` passes (null: no limit) or the run is
   * interrupted. A durable timer: survives restarts, skips in tests. While it
   * waits, the status query reports when the run wakes next.
   */
  waitFor(ms: number | null, ready?: () => boolean): Promise<WaitOutcome>;
  /** Events that arrived after `seq`, oldest first. */
  eventsAfter(seq: number): ReceivedEvent[];
  /**
   * An idempotency key for this visit of a step: the same across retries of the
   * visit, different for a later visit (a loop) or a later run of the journey
   * (re-entry keeps the workflow id, not the first execution's run id).
   */
  visitKey(stepId: string): string;
  /**
   * Which visit of a step this is: the chain's first execution id (kept across
   * continue-as-new) and the step counter (carried along). The one source of
   * visitKey() and of the email step's `visit`.
   */
  visit(): { run: string; seq: number };
  /** The journey's subscription category: its marketing emails are sent as this. */
  journeyCategory(): string;
  /** The goal event that made the run jump, if the current step was jumped to. */
  jumpEvent: ReceivedEvent | null;
  /**
   * The run's clock in ms: workflow time in Temporal (deterministic, skipped in
   * tests), the virtual clock in a simulation (simulator/). Handlers read time
   * only through this.
   */
  now(): number;
  /** The first run id of the workflow chain (constant across continue-as-new). */
  firstExecutionRunId: string;
}

export type StepHandler<S> = (ctx: StepContext, step: S) => Promise<StepResult>;

export const MAX_REMEMBERED_EVENTS = 100;

export function emptyState(): RunState {
  return { stepsTaken: 0, seq: 0, events: [], seen: [], vars: {}, triggerEventId: null };
}

const DEFAULT_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

/**
 * The journey send-email activity. The worker heartbeats while it sends
 * (worker/liveness-heartbeat.ts): a send on a worker that died is noticed
 * within the heartbeat timeout and retried after the first retry interval
 * (about 30 s in all), not after the two-minute start-to-close timeout
 * (test/integration/lost-send.test.ts measures it).
 */
export const EMAIL_ACTIVITY = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
} as const satisfies ActivityOptions;

const LOCAL_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * Activities that are short, idempotent and touch only our own PostgreSQL:
 * they run as local activities, in the worker that runs the workflow task,
 * recorded as one marker each instead of three history events and two extra
 * workflow tasks. That is most of a journey step's cost on the Temporal server.
 * Sending email, notifying people and calling webhooks stay regular
 * activities: they talk to the outside, may take long, and have their own
 * retry policies and task queue.
 */
export const LOCAL_ACTIVITIES: ReadonlySet<string> = new Set<keyof Activities>([
  'journeyMeta',
  'journeyStep',
  'journeyStart',
  'advanceStep',
  'latestJourneyVersion',
  'stepEntered',
  'recordStep',
  'runFinished',
  'triggerDate',
  'nextWindowStart',
  'evaluateBranch',
  'updateContact',
  'issueCoupon',
  'enrolContact',
  'expireApproval',
]);

/**
 * Runs that started before local activities existed have regular activity
 * events in their histories; they keep scheduling regular activities until
 * they end (a replay must issue the same commands). Every new run, and every
 * run after continue-as-new, takes the local path.
 */
export const LOCAL_ACTIVITIES_PATCH = 'journey-local-activities-v1';

function activitiesFor(local: boolean): Activities {
  const remote = proxyActivities<Activities>(DEFAULT_ACTIVITY);
  if (!local) return remote;
  const viaLocal = proxyLocalActivities<Activities>(LOCAL_ACTIVITY);
  return new Proxy(remote, {
    get: (target, name) =>
      typeof name === 'string' && LOCAL_ACTIVITIES.has(name) ? viaLocal[name as keyof Activities] : target[name as keyof Activities],
  });
}

/** A visit as the email activity keys its sends: "<first run id>:<step counter>". */
export function visitString(v: { run: string; seq: number }): string {
  return `${v.run}:${v.seq}`;
}

export function createContext(
  input: JourneyInput,
  state: RunState,
  meta: () => JourneyMeta | null,
  setNextWake: (at: Date | null) => void,
): StepContext {
  const localActivities = engineAtLeast(input, 1) || patched(LOCAL_ACTIVITIES_PATCH);
  const acts = activitiesFor(localActivities);
  const email = proxyActivities<Activities>({ taskQueue: input.emailTaskQueue, ...EMAIL_ACTIVITY });
  return createContextCore({
    input,
    state,
    meta,
    setNextWake,
    workflowId: workflowInfo().workflowId,
    firstExecutionRunId: workflowInfo().firstExecutionRunId,
    localActivities,
    acts,
    email,
    activitiesWith: (options) => proxyActivities<Activities>({ ...DEFAULT_ACTIVITY, ...options }),
    now: () => Date.now(),
    condition: async (done, ms) => (ms === null ? (await condition(done), true) : condition(done, ms)),
  });
}

/** Where a context runs: Temporal (createContext above) or the simulator's virtual clock. */
export interface ContextBindings {
  input: JourneyInput;
  state: RunState;
  meta: () => JourneyMeta | null;
  setNextWake: (at: Date | null) => void;
  workflowId: string;
  firstExecutionRunId: string;
  localActivities: boolean;
  acts: Activities;
  /** Defaults to `acts`. */
  email?: Pick<Activities, 'sendEmail'>;
  activitiesWith(options: ActivityOptions): Activities;
  now(): number;
  /** Temporal's condition(): resolves true once `done()` holds, false when `ms` passes first (null: no limit). */
  condition(done: () => boolean, ms: number | null): Promise<boolean>;
}

/** The step context over its bindings: goal interruptions, waiting, visit keys. No Temporal calls here. */
export function createContextCore(b: ContextBindings): StepContext {
  const { input, state, meta } = b;
  function interruption(): Interruption | null {
    for (const e of state.events) {
      if (e.type === SYSTEM_EVENTS.contactDeleted) return { status: 'exited', reason: 'contact deleted' };
      if (e.eventId === state.triggerEventId || state.consumed?.includes(e.eventId)) continue;
      const goal = meta()?.goals.find((g) => matchesEvent(e, g));
      if (goal) return { status: goal.outcome, reason: `goal event "${e.type}"`, next: goal.next, eventId: e.eventId };
    }
    return null;
  }

  const visit = () => ({ run: b.firstExecutionRunId, seq: state.stepsTaken });
  return {
    input,
    workflowId: b.workflowId,
    state,
    acts: b.acts,
    email: b.email ?? b.acts,
    localActivities: b.localActivities,
    activitiesWith: b.activitiesWith,
    interruption,
    async waitFor(ms, ready = () => false) {
      const done = () => interruption() !== null || ready();
      // The status query shows when a waiting run wakes next, only while it waits.
      b.setNextWake(ms === null ? null : new Date(b.now() + ms));
      try {
        const finished = await b.condition(done, ms);
        if (interruption()) return 'interrupted';
        return finished ? 'ready' : 'timeout';
      } finally {
        b.setNextWake(null);
      }
    },
    eventsAfter: (seq) => state.events.filter((e) => e.seq > seq),
    visit,
    visitKey: (stepId) => {
      const v = visit();
      return `${b.workflowId}:${v.run}:${stepId}:${v.seq}`;
    },
    jumpEvent: null,
    journeyCategory: () => meta()?.category ?? 'journeys',
    now: b.now,
    firstExecutionRunId: b.firstExecutionRunId,
  };
}
