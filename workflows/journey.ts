// The journey interpreter: one run per contact per journey. It fetches each step
// of its pinned version by reference (never the whole definition), runs the
// step's handler, and writes the outcome and its reason to the timeline.
// Deterministic: all I/O happens in activities.
import { continueAsNew, isCancellation, patched, setHandler, TemporalFailure, workflowInfo } from '@temporalio/workflow';
import type { JourneyMeta, RunStatus } from '../activities/journeys';
import { WAITING_STEPS } from '../journeys/step-kinds';
import { createContext, emptyState, MAX_REMEMBERED_EVENTS, type JourneyInput, type RunState, type StepContext } from './context';
import { eventSignal, resumeSignal, statusQuery } from '../shared/signals';
import { runStep } from './steps';

export type { JourneyInput };

const DEFAULT_HISTORY_LIMIT = 2000;
/** How often a run held by a paused journey re-checks, besides the resume signal. */
const PAUSE_RECHECK_MS = 15 * 60 * 1000;
/**
 * Runs whose step fails for good (a non-retryable activity error, say) mark
 * their row `failed` before the workflow fails, instead of "running" forever.
 * Older runs took no such step: behind this patch they replay unchanged.
 */
const RECORD_FAILED_RUN_PATCH = 'journey-records-failed-run';

/** What the failure handler needs to know of a run in progress. */
interface Progress {
  ctx: StepContext | null;
  stepId: string | null;
  /** Set once the run records its own end: a failure after that is not a step's. */
  finishing: boolean;
}

export async function journeyWorkflow(input: JourneyInput): Promise<RunStatus> {
  const progress: Progress = { ctx: null, stepId: null, finishing: false };
  try {
    return await interpret(input, progress);
  } catch (err) {
    // Only a step's failure for good (an activity that gave up) ends the run as
    // failed; cancellation, continue-as-new and other errors (which retry the
    // workflow task) are not failures of the run.
    const { ctx } = progress;
    if (ctx && !progress.finishing && !isCancellation(err) && err instanceof TemporalFailure && patched(RECORD_FAILED_RUN_PATCH)) {
      const why = err.cause?.message ?? err.message;
      await ctx.acts.runFinished({
        workflowId: ctx.workflowId,
        runId: workflowInfo().runId,
        contactId: input.contactId,
        journeyKey: input.journeyKey,
        status: 'failed',
        reason: `step ${progress.stepId ?? '(start)'} failed: ${why}`.slice(0, 500),
      });
    }
    throw err;
  }
}

async function interpret(input: JourneyInput, progress: Progress): Promise<RunStatus> {
  const state = input.state ?? { ...emptyState(), triggerEventId: input.triggerEventId ?? null };
  const seen = new Set(state.seen);
  let meta: JourneyMeta | null = null;
  let currentStep: string | null = null;
  let nextWakeAt: Date | null = null;
  let paused = false;
  let resumed = false;

  setHandler(eventSignal, (e) => {
    if (seen.has(e.eventId)) return; // the dispatcher may deliver an event twice
    seen.add(e.eventId);
    state.events.push({ ...e, seq: ++state.seq });
    if (state.events.length > MAX_REMEMBERED_EVENTS) state.events.shift();
  });
  setHandler(resumeSignal, () => void (resumed = true));
  setHandler(statusQuery, () => ({
    journeyKey: input.journeyKey,
    version: input.version,
    currentStep,
    nextWakeAt: nextWakeAt?.toISOString() ?? null,
    stepsTaken: state.stepsTaken,
    paused,
  }));

  const ctx = createContext(input, state, () => meta, (at) => (nextWakeAt = at));
  progress.ctx = ctx;
  meta = await ctx.acts.journeyMeta({ journeyKey: input.journeyKey, version: input.version });

  const finish = async (status: RunStatus, reason?: string): Promise<RunStatus> => {
    progress.finishing = true;
    currentStep = null;
    if (status === 'completed' && meta?.dateTrigger?.annual) {
      // Annual journeys (birthdays) wait for next year's date, on the journey's
      // latest version, in a fresh history.
      const version = await ctx.acts.latestJourneyVersion({ journeyKey: input.journeyKey });
      return continueAsNew<typeof journeyWorkflow>({
        contactId: input.contactId,
        journeyKey: input.journeyKey,
        version: version ?? input.version,
        emailTaskQueue: input.emailTaskQueue,
        historyLimit: input.historyLimit,
        notBefore: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        // The step counter keeps counting, so next year's visits get new idempotency keys.
        state: { ...emptyState(), stepsTaken: state.stepsTaken },
      });
    }
    await ctx.acts.runFinished({ workflowId: ctx.workflowId, runId: workflowInfo().runId, contactId: input.contactId, journeyKey: input.journeyKey, status, reason: reason ?? null });
    return status;
  };

  if (!input.resumeAt && meta.dateTrigger) {
    const outcome = await waitForTriggerDate(ctx, meta);
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

    // On the local path, the step lookup also marks the run as sitting at a waiting step.
    const resolved = await ctx.acts.journeyStep({ journeyKey: input.journeyKey, version: input.version, stepId, ...(ctx.localActivities ? { workflowId: ctx.workflowId, contactId: input.contactId } : {}) });
    if (!resolved) return finish('completed');
    if (resolved.paused) {
      // A paused journey holds its runs before their next step.
      paused = true;
      resumed = false;
      await ctx.waitFor(PAUSE_RECHECK_MS, () => resumed);
      paused = false;
      if (historyTooLong(input)) return continueAsNew<typeof journeyWorkflow>(carry(input, state, seen, resolved.step.id));
      stepId = resolved.step.id;
      continue;
    }
    const { step } = resolved;
    currentStep = step.id;
    progress.stepId = step.id;
    if (!ctx.localActivities && WAITING_STEPS.includes(step.type)) await ctx.acts.stepEntered({ workflowId: ctx.workflowId, stepId: step.id });
    const result = await runStep(ctx, step);
    state.stepsTaken++;
    await ctx.acts.recordStep({
      contactId: input.contactId,
      workflowId: ctx.workflowId,
      runId: workflowInfo().runId,
      seq: state.stepsTaken,
      journeyKey: input.journeyKey,
      stepId: step.id,
      kind: step.type,
      outcome: result.outcome,
      detail: result.detail,
    });
    if (ctx.interruption()) {
      stepId = step.id; // re-checked at the top of the loop, which ends or jumps
      continue;
    }
    if (result.end) return finish(result.end, result.outcome);
    stepId = result.next !== undefined ? result.next : resolved.next;
    if (stepId === null) return finish('completed');

    // Keep history bounded: carry only the small run state into a fresh run.
    if (historyTooLong(input)) return continueAsNew<typeof journeyWorkflow>(carry(input, state, seen, stepId));
  }
}

function historyTooLong(input: JourneyInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
}

/** The input of the next run in the chain: only the small run state travels. */
function carry(input: JourneyInput, state: RunState, seen: Set<string>, resumeAt: string | undefined): JourneyInput {
  return { ...input, resumeAt, state: { ...state, seen: [...seen].slice(-MAX_REMEMBERED_EVENTS) } };
}

/** For date-triggered journeys: sleep until the date, re-reading it when events arrive. */
async function waitForTriggerDate(ctx: StepContext, meta: JourneyMeta): Promise<{ status: RunStatus; reason: string } | null> {
  for (;;) {
    const target = await ctx.acts.triggerDate({ contactId: ctx.input.contactId, trigger: meta.dateTrigger!, now: new Date(Math.max(Date.now(), Date.parse(ctx.input.notBefore ?? '1970-01-01'))).toISOString() });
    if (target === null) return { status: 'exited', reason: 'the trigger date field is empty' };
    const ms = Date.parse(target) - Date.now();
    if (ms <= 0) return null;
    const seqBefore = ctx.state.seq;
    ctx.setNextWake(new Date(Date.parse(target)));
    const outcome = await ctx.waitFor(ms, () => ctx.state.seq !== seqBefore);
    ctx.setNextWake(null);
    if (outcome === 'interrupted') {
      const stop = ctx.interruption()!;
      return stop.next !== undefined ? null : stop; // a jumping goal is taken by the main loop
    }
    if (outcome === 'timeout') return null;
    // An event arrived: the date may have moved (e.g. a new purchase); look again,
    // in a fresh run if this one's history has grown long.
    if (historyTooLong(ctx.input)) {
      await continueAsNew<typeof journeyWorkflow>({ ...ctx.input, state: { ...ctx.state, seen: ctx.state.events.map((e) => e.eventId) } });
    }
  }
}
