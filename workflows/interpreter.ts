// The journey interpreter's loop, apart from Temporal: the workflow
// (workflows/journey.ts) runs it with Temporal's runtime, the simulator
// (simulator/simulate.ts) with a virtual clock and simulated activities, so a
// simulation walks exactly the code a real run walks. Deterministic: all I/O
// happens in activities; time is read through the context.
import type { JourneyMeta, ResolvedStep, RunStatus } from '../activities/journeys';
import { WAITING_STEPS } from '../journeys/step-kinds';
import { emptyState, MAX_REMEMBERED_EVENTS, type JourneyInput, type RunState, type StepContext } from './context';
import type { JourneyEvent, JourneyStatus } from '../shared/signals';
import { runStep } from './steps';

/** What the loop needs from where it runs. */
export interface JourneyRuntime {
  /** Registers the run's signal and query handlers (before anything else happens). */
  handlers(h: { event(e: JourneyEvent): void; resume(): void; status(): JourneyStatus }): void;
  context(input: JourneyInput, state: RunState, meta: () => JourneyMeta | null, setNextWake: (at: Date | null) => void): StepContext;
  /** This execution's run id (a new one after continue-as-new). */
  runId(): string;
  historyTooLong(input: JourneyInput): boolean;
  /**
   * Whether this run looks its steps up together with its bookkeeping (one
   * local activity at the start, one between two steps): every run on the
   * local path since STEPS_MERGED_PATCH; older runs replay their own sequence.
   */
  stepsMerged(input: JourneyInput): boolean;
  continueAsNew(input: JourneyInput): Promise<never>;
}

/** What a failure handler needs to know of a run in progress (the loop keeps it current). */
export interface RunProgress {
  ctx: StepContext | null;
  stepId: string | null;
  /** Set once the run records its own end: a failure after that is not a step's. */
  finishing: boolean;
}

/** How often a run held by a paused journey re-checks, besides the resume signal. */
const PAUSE_RECHECK_MS = 15 * 60 * 1000;

export async function interpretJourney(
  input: JourneyInput,
  rt: JourneyRuntime,
  progress: RunProgress = { ctx: null, stepId: null, finishing: false },
): Promise<RunStatus> {
  const state = input.state ?? { ...emptyState(), triggerEventId: input.triggerEventId ?? null };
  const seen = new Set(state.seen);
  let meta: JourneyMeta | null = null;
  let currentStep: string | null = null;
  let nextWakeAt: Date | null = null;
  let paused = false;
  let resumed = false;

  rt.handlers({
    event(e) {
      if (seen.has(e.eventId)) return; // the dispatcher may deliver an event twice
      seen.add(e.eventId);
      state.events.push({ ...e, seq: ++state.seq });
      if (state.events.length > MAX_REMEMBERED_EVENTS) state.events.shift();
    },
    resume: () => void (resumed = true),
    status: () => ({
      journeyKey: input.journeyKey,
      version: input.version,
      currentStep,
      nextWakeAt: nextWakeAt?.toISOString() ?? null,
      stepsTaken: state.stepsTaken,
      paused,
    }),
  });

  const ctx = rt.context(
    input,
    state,
    () => meta,
    (at) => (nextWakeAt = at),
  );
  progress.ctx = ctx;
  const merged = ctx.localActivities && rt.stepsMerged(input);
  const stepRef = (stepId: string | null) => ({
    journeyKey: input.journeyKey,
    version: input.version,
    stepId,
    // On the local path, the step lookup also marks the run as sitting at a waiting step.
    ...(ctx.localActivities ? { workflowId: ctx.workflowId, contactId: input.contactId } : {}),
  });
  // A step already looked up by the activity before it (journeyStart, advanceStep).
  let prefetched: { stepId: string | null; resolved: ResolvedStep | null } | null = null;
  if (merged) {
    const start = await ctx.acts.journeyStart(stepRef(input.resumeAt ?? null));
    meta = start.meta;
    if (start.first !== undefined) prefetched = { stepId: input.resumeAt ?? null, resolved: start.first };
  } else {
    meta = await ctx.acts.journeyMeta({ journeyKey: input.journeyKey, version: input.version });
  }

  const finish = async (status: RunStatus, reason?: string): Promise<RunStatus> => {
    progress.finishing = true;
    currentStep = null;
    if (status === 'completed' && meta?.dateTrigger?.annual) {
      // Annual journeys (birthdays) wait for next year's date, on the journey's
      // latest version, in a fresh history.
      const version = await ctx.acts.latestJourneyVersion({ journeyKey: input.journeyKey });
      return rt.continueAsNew({
        contactId: input.contactId,
        journeyKey: input.journeyKey,
        version: version ?? input.version,
        emailTaskQueue: input.emailTaskQueue,
        historyLimit: input.historyLimit,
        engine: input.engine,
        notBefore: new Date(ctx.now() + 2 * 86_400_000).toISOString(),
        // The step counter keeps counting, so next year's visits get new idempotency keys.
        state: { ...emptyState(), stepsTaken: state.stepsTaken },
      });
    }
    await ctx.acts.runFinished({
      workflowId: ctx.workflowId,
      runId: rt.runId(),
      contactId: input.contactId,
      journeyKey: input.journeyKey,
      status,
      reason: reason ?? null,
    });
    return status;
  };

  if (!input.resumeAt && meta.dateTrigger) {
    const outcome = await waitForTriggerDate(ctx, meta, rt);
    if (outcome) return finish(outcome.status, outcome.reason);
  }

  let stepId: string | null = input.resumeAt ?? null;
  for (;;) {
    // A goal event or the contact's deletion ends the run (or jumps, for goals with `next`).
    const stop = ctx.interruption();
    ctx.jumpEvent = null;
    if (stop?.next !== undefined) {
      state.consumed = [...(state.consumed ?? []), stop.eventId!].slice(-MAX_REMEMBERED_EVENTS);
      ctx.jumpEvent = state.events.find((e) => e.eventId === stop.eventId) ?? null;
      stepId = stop.next;
    } else if (stop) {
      return finish(stop.status, stop.reason);
    }

    const resolved = prefetched?.stepId === stepId ? prefetched.resolved : await ctx.acts.journeyStep(stepRef(stepId));
    prefetched = null;
    if (!resolved) return finish('completed');
    if (resolved.paused) {
      // A paused journey holds its runs before their next step.
      paused = true;
      resumed = false;
      await ctx.waitFor(PAUSE_RECHECK_MS, () => resumed);
      paused = false;
      if (rt.historyTooLong(input)) return rt.continueAsNew(carry(input, state, seen, resolved.step.id));
      stepId = resolved.step.id;
      continue;
    }
    const { step } = resolved;
    currentStep = step.id;
    progress.stepId = step.id;
    if (!ctx.localActivities && WAITING_STEPS.includes(step.type))
      await ctx.acts.stepEntered({ workflowId: ctx.workflowId, stepId: step.id });
    const result = await runStep(ctx, step);
    state.stepsTaken++;
    const done = {
      contactId: input.contactId,
      workflowId: ctx.workflowId,
      runId: rt.runId(),
      seq: state.stepsTaken,
      journeyKey: input.journeyKey,
      stepId: step.id,
      kind: step.type,
      outcome: result.outcome,
      detail: result.detail,
    };
    const following = result.next !== undefined ? result.next : resolved.next;
    if (merged && !result.end && following !== null && !ctx.interruption() && !rt.historyTooLong(input)) {
      // The usual way on: the log line and the next step's lookup in one local activity.
      const next = { ...stepRef(following), stepId: following, workflowId: ctx.workflowId, contactId: input.contactId };
      prefetched = { stepId: following, resolved: await ctx.acts.advanceStep({ done, next }) };
    } else {
      await ctx.acts.recordStep(done);
    }
    if (ctx.interruption()) {
      stepId = step.id; // re-checked at the top of the loop, which ends or jumps
      continue;
    }
    if (result.end) return finish(result.end, result.outcome);
    stepId = following;
    if (stepId === null) return finish('completed');

    // Keep history bounded: carry only the small run state into a fresh run.
    if (rt.historyTooLong(input)) return rt.continueAsNew(carry(input, state, seen, stepId));
  }
}

/** The input of the next run in the chain: only the small run state travels. */
function carry(input: JourneyInput, state: RunState, seen: Set<string>, resumeAt: string | undefined): JourneyInput {
  return { ...input, resumeAt, state: { ...state, seen: [...seen].slice(-MAX_REMEMBERED_EVENTS) } };
}

/** For date-triggered journeys: sleep until the date, re-reading it when events arrive. */
async function waitForTriggerDate(
  ctx: StepContext,
  meta: JourneyMeta,
  rt: JourneyRuntime,
): Promise<{ status: RunStatus; reason: string } | null> {
  for (;;) {
    const target = await ctx.acts.triggerDate({
      contactId: ctx.input.contactId,
      trigger: meta.dateTrigger!,
      now: new Date(Math.max(ctx.now(), Date.parse(ctx.input.notBefore ?? '1970-01-01'))).toISOString(),
    });
    if (target === null) return { status: 'exited', reason: 'the trigger date field is empty' };
    const ms = Date.parse(target) - ctx.now();
    if (ms <= 0) return null;
    const seqBefore = ctx.state.seq;
    const outcome = await ctx.waitFor(ms, () => ctx.state.seq !== seqBefore);
    if (outcome === 'interrupted') {
      const stop = ctx.interruption()!;
      return stop.next !== undefined ? null : stop; // a jumping goal is taken by the main loop
    }
    if (outcome === 'timeout') return null;
    // An event arrived: the date may have moved (e.g. a new purchase); look again,
    // in a fresh run if this one's history has grown long.
    if (rt.historyTooLong(ctx.input)) {
      await rt.continueAsNew({ ...ctx.input, state: { ...ctx.state, seen: ctx.state.events.map((e) => e.eventId) } });
    }
  }
}
