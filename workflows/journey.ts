// The journey workflow: one run per contact per journey. It fetches each step
// of its pinned version by reference (never the whole definition), runs the
// step's handler, and writes the outcome and its reason to the timeline. The
// loop itself is workflows/interpreter.ts; this binds it to Temporal (signals,
// the query, activities, timers, continue-as-new).
import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RunStatus } from '../activities/journeys';
import { createContext, type JourneyInput } from './context';
import { interpretJourney, type JourneyRuntime } from './interpreter';
import { eventSignal, resumeSignal, statusQuery } from './signals';

export type { JourneyInput };

const DEFAULT_HISTORY_LIMIT = 2000;

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
};

export function journeyWorkflow(input: JourneyInput): Promise<RunStatus> {
  return interpretJourney(input, temporalRuntime);
}
