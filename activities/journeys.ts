// Activities the journey interpreter uses to read its definition and to write
// what it did to the contact's timeline.
import { ApplicationFailure } from '@temporalio/activity';
import type { Prisma } from '@prisma/client';
import { journeyVersion } from '../journeys/store';
import { nextStepId, type Step } from '../journeys/schema';
import type { ActivityDeps } from './deps';

export interface StepRef {
  journeyKey: string;
  version: number;
  /** null: the first step */
  stepId: string | null;
}

export interface ResolvedStep {
  step: Step;
  next: string | null;
}

export interface StepLog {
  contactId: string;
  workflowId: string;
  runId: string;
  seq: number;
  journeyKey: string;
  stepId: string;
  kind: string;
  outcome: string;
  detail?: Record<string, string | number | boolean | null>;
}

export type RunStatus = 'completed' | 'converted' | 'exited' | 'failed';

export function createJourneyActivities({ db }: ActivityDeps) {
  return {
    /** One step of a pinned version: workflows fetch steps by reference, not whole definitions. */
    async journeyStep(ref: StepRef): Promise<ResolvedStep | null> {
      const def = await journeyVersion(db, ref.journeyKey, ref.version);
      if (!def) {
        throw ApplicationFailure.nonRetryable(`journey ${ref.journeyKey} v${ref.version} does not exist`, 'UnknownJourney');
      }
      const index = ref.stepId === null ? 0 : def.steps.findIndex((s) => s.id === ref.stepId);
      const step = def.steps[index];
      if (!step) return null;
      return { step, next: nextStepId(def, index) };
    },

    async recordStep(log: StepLog): Promise<void> {
      await db.$transaction([
        db.journeyStepLog.createMany({
          data: [{
            logKey: `${log.workflowId}:${log.runId}:${log.seq}`,
            contactId: log.contactId,
            workflowId: log.workflowId,
            journeyKey: log.journeyKey,
            stepId: log.stepId,
            kind: log.kind,
            outcome: log.outcome,
            detail: (log.detail ?? {}) as Prisma.InputJsonObject,
          }],
          skipDuplicates: true,
        }),
        db.journeyRun.updateMany({ where: { workflowId: log.workflowId }, data: { currentStep: log.stepId } }),
      ]);
    },

    async runFinished(input: { workflowId: string; status: RunStatus }): Promise<void> {
      await db.journeyRun.updateMany({
        where: { workflowId: input.workflowId },
        data: { status: input.status, endedAt: new Date(), currentStep: null },
      });
    },
  };
}
