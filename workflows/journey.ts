// The journey workflow: one run per contact per journey. It fetches each step
// of its pinned version by reference (never the whole definition), runs the
// step's handler, and writes the outcome and its reason to the timeline. The
// loop itself is workflows/interpreter.ts; this binds it to Temporal (signals,
// the query, activities, timers, continue-as-new) and records a run whose step
// failed for good.
import { continueAsNew, isCancellation, patched, setHandler, TemporalFailure, workflowInfo } from '@temporalio/workflow';
import type { RunStatus } from '../activities/journeys';
import { engineAtLeast } from '../shared/journey-run';
import { eventSignal, resumeSignal, statusQuery } from '../shared/signals';
import { createContext, type JourneyInput } from './context';
import { interpretJourney, type JourneyRuntime, type RunProgress } from './interpreter';

export type { JourneyInput };

const DEFAULT_HISTORY_LIMIT = 2000;
/**
 * Runs whose step fails for good (a non-retryable activity error, say) mark
 * their row `failed` before the workflow fails, instead of "running" forever.
 * Older runs took no such step: behind this patch they replay unchanged.
 */
const RECORD_FAILED_RUN_PATCH = 'journey-records-failed-run';
/**
 * Runs since this patch look up their first step with their start
 * (journeyStart) and each next step with the last one's log (advanceStep):
 * two local activities fewer per step. Older runs replay their own sequence
 * (journeyMeta, journeyStep, recordStep).
 */
const STEPS_MERGED_PATCH = 'journey-steps-merged';

const temporalRuntime: JourneyRuntime = {
  handlers(h) {
    setHandler(eventSignal, (e) => h.event(e));
    setHandler(resumeSignal, () => h.resume());
    setHandler(statusQuery, () => h.status());
  },
  context: createContext,
  runId: () => workflowInfo().runId,
  historyTooLong(input) {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  },
  continueAsNew: (next) => continueAsNew<typeof journeyWorkflow>(next),
  stepsMerged: (input) => engineAtLeast(input, 1) || patched(STEPS_MERGED_PATCH),
};

export async function journeyWorkflow(input: JourneyInput): Promise<RunStatus> {
  const progress: RunProgress = { ctx: null, stepId: null, finishing: false };
  try {
    return await interpretJourney(input, temporalRuntime, progress);
  } catch (err) {
    // Only a step's failure for good (an activity that gave up) ends the run as
    // failed; cancellation, continue-as-new and other errors (which retry the
    // workflow task) are not failures of the run.
    const { ctx } = progress;
    if (
      ctx &&
      !progress.finishing &&
      !isCancellation(err) &&
      err instanceof TemporalFailure &&
      (engineAtLeast(input, 1) || patched(RECORD_FAILED_RUN_PATCH))
    ) {
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
