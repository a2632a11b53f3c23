// The journey interpreter: one run per contact per journey. It fetches each step
// of its pinned version by reference, runs the step's handler, and writes the
// outcome to the timeline. Deterministic: all I/O happens in activities.
import { setHandler, workflowInfo } from '@temporalio/workflow';
import type { RunStatus } from '../activities/journeys';
import type { JourneyEvent } from '../events/schema';
import { createContext, type JourneyInput } from './context';
import { eventSignal, statusQuery } from './signals';
import { runStep } from './steps';

export type { JourneyInput };

const MAX_REMEMBERED_EVENTS = 200;

export async function journeyWorkflow(input: JourneyInput): Promise<RunStatus> {
  const events: JourneyEvent[] = [];
  const seen = new Set<string>();
  let currentStep: string | null = null;
  let nextWakeAt: Date | null = null;
  let stepsTaken = 0;

  setHandler(eventSignal, (e) => {
    if (seen.has(e.eventId)) return; // the dispatcher may deliver an event twice
    seen.add(e.eventId);
    events.push(e);
    if (events.length > MAX_REMEMBERED_EVENTS) seen.delete(events.shift()!.eventId);
  });
  setHandler(statusQuery, () => ({
    journeyKey: input.journeyKey,
    version: input.version,
    currentStep,
    nextWakeAt: nextWakeAt?.toISOString() ?? null,
    stepsTaken,
  }));

  const ctx = createContext(input, events, (at) => (nextWakeAt = at));
  const { runId } = workflowInfo();
  let stepId: string | null = input.resumeAt ?? null;
  let status: RunStatus = 'completed';

  for (;;) {
    const resolved = await ctx.acts.journeyStep({ journeyKey: input.journeyKey, version: input.version, stepId });
    if (!resolved) break;
    const { step } = resolved;
    currentStep = step.id;
    const result = await runStep(ctx, step);
    stepsTaken++;
    await ctx.acts.recordStep({
      contactId: input.contactId,
      workflowId: ctx.workflowId,
      runId,
      seq: stepsTaken,
      journeyKey: input.journeyKey,
      stepId: step.id,
      kind: step.type,
      outcome: result.outcome,
      detail: result.detail,
    });
    if (result.end) {
      status = result.end;
      break;
    }
    stepId = result.next !== undefined ? result.next : resolved.next;
    if (stepId === null) break;
  }
  currentStep = null;
  await ctx.acts.runFinished({ workflowId: ctx.workflowId, status });
  return status;
}
