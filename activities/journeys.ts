// Activities the journey interpreter uses to read its pinned definition and to
// write what it did, and why, to the contact's timeline.
import { ApplicationFailure } from '@temporalio/activity';
import type { Prisma } from '@prisma/client';
import { contactField } from '../journeys/conditions';
import { offsetMs } from '../journeys/duration';
import { journeyVersion } from '../journeys/store';
import { nextStepId, type JourneyDefinition, type Step, type Trigger } from '../journeys/schema';
import { WAITING_STEPS } from '../journeys/step-kinds';
import { nextWindowStart } from '../journeys/time-window';
import type { ActivityDeps } from './deps';
import { enterStep, logAndMove } from './step-statements';
import { sqlOf } from '../lib/db';

export interface StepRef {
  journeyKey: string;
  version: number;
  /** null: the first step */
  stepId: string | null;
  /** Given: record the run as sitting at the step when it is a waiting step (and the journey is not paused). */
  workflowId?: string;
  /** With workflowId: the run's row is created if the dispatcher has not written it yet. */
  contactId?: string;
}

export interface ResolvedStep {
  step: Step;
  next: string | null;
  /** The journey is paused: hold the run before this step. */
  paused: boolean;
}

export type DateTrigger = Extract<Trigger, { type: 'date' }>;

export interface JourneyMeta {
  goals: JourneyDefinition['goals'];
  category: string;
  dateTrigger: DateTrigger | null;
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
  detail?: Record<string, string | number | boolean | null | undefined>;
}

export type RunStatus = 'completed' | 'converted' | 'exited' | 'failed';

/** A run's start: what the whole run needs, and its first step when it can run at once. */
export interface JourneyStart {
  meta: JourneyMeta;
  /**
   * The first step (`ref.stepId`, or the journey's first), resolved as
   * journeyStep does; absent when the run first waits for a date trigger.
   */
  first?: ResolvedStep | null;
}

/** The step just run, to record, and the one to run next, to resolve: one local activity between two steps. */
export interface StepAdvance {
  done: StepLog;
  next: StepRef & { stepId: string; workflowId: string; contactId: string };
}

/** The due moment of a date trigger for a contact, or null when the field is empty. */
export function triggerMoment(field: Date | string | number | null | undefined, trigger: DateTrigger, now: Date): Date | null {
  if (field === null || field === undefined || field === '') return null;
  const base = new Date(field);
  if (Number.isNaN(base.getTime())) return null;
  const offset = offsetMs(trigger.offset);
  if (!trigger.annual) return new Date(base.getTime() + offset);
  // Annual (birthdays): this year's occurrence, or next year's if it has passed (by a day).
  for (let year = now.getUTCFullYear(); year <= now.getUTCFullYear() + 1; year++) {
    const d = new Date(Date.UTC(year, base.getUTCMonth(), base.getUTCDate(), base.getUTCHours(), base.getUTCMinutes()));
    const due = new Date(d.getTime() + offset);
    if (due.getTime() + 86_400_000 > now.getTime()) return due;
  }
  return null;
}

export function createJourneyActivities({ db }: ActivityDeps) {
  const sql = sqlOf(db);
  async function definition(key: string, version: number): Promise<JourneyDefinition> {
    const def = await journeyVersion(db, key, version);
    if (!def) throw ApplicationFailure.nonRetryable(`journey ${key} v${version} does not exist`, 'UnknownJourney');
    return def;
  }

  const metaOf = (def: JourneyDefinition): JourneyMeta => ({
    goals: def.goals,
    category: def.category,
    dateTrigger: def.trigger.type === 'date' ? def.trigger : null,
  });

  const locate = (def: JourneyDefinition, stepId: string | null) => {
    const index = stepId === null ? 0 : def.steps.findIndex((s) => s.id === stepId);
    const step = def.steps[index];
    return step ? { step, index } : null;
  };

  /** One step of a pinned version: workflows fetch steps by reference, not whole definitions. */
  async function resolveStep(ref: StepRef, def: JourneyDefinition): Promise<ResolvedStep | null> {
    const found = locate(def, ref.stepId);
    if (!found) return null;
    const { step, index } = found;
    const waits = WAITING_STEPS.includes(step.type);
    if (ref.workflowId && ref.contactId) {
      // The run may get here before the dispatcher has written its row (it writes
      // it after signal-with-start answers): the statement creates it then, never losing the step.
      const run = { journeyKey: ref.journeyKey, workflowId: ref.workflowId, contactId: ref.contactId };
      const status = await enterStep(sql, run, { version: ref.version, stepId: step.id, waits });
      return { step, next: nextStepId(def, index), paused: status === 'paused' };
    }
    // Runs from before local activities: no contact id in the reference.
    const j = await db.journeyDefinition.findUnique({ where: { key: ref.journeyKey }, select: { status: true } });
    const paused = j?.status === 'paused';
    if (ref.workflowId && !paused && waits) {
      await db.journeyRun.updateMany({ where: { workflowId: ref.workflowId }, data: { currentStep: step.id } });
    }
    return { step, next: nextStepId(def, index), paused };
  }

  return {
    async journeyMeta(ref: { journeyKey: string; version: number }): Promise<JourneyMeta> {
      return metaOf(await definition(ref.journeyKey, ref.version));
    },

    async journeyStep(ref: StepRef): Promise<ResolvedStep | null> {
      return resolveStep(ref, await definition(ref.journeyKey, ref.version));
    },

    /** journeyMeta and the first journeyStep in one local activity (runs since STEPS_MERGED_PATCH). */
    async journeyStart(ref: StepRef): Promise<JourneyStart> {
      const def = await definition(ref.journeyKey, ref.version);
      const meta = metaOf(def);
      // A date-triggered run waits for its date before its first step: nothing to resolve yet.
      if (ref.stepId === null && meta.dateTrigger) return { meta };
      return { meta, first: await resolveStep(ref, def) };
    },

    /**
     * recordStep of the step just run and journeyStep of the next one, as one
     * statement: the log line, the run's current step (the next one when it
     * waits and the journey is not paused, else the one just run: what the two
     * activities left), and the journey's status. Idempotent like both.
     */
    async advanceStep({ done, next }: StepAdvance): Promise<ResolvedStep | null> {
      const def = await definition(next.journeyKey, next.version);
      const found = locate(def, next.stepId);
      const waits = found !== null && WAITING_STEPS.includes(found.step.type);
      const status = await logAndMove(sql, done, { version: next.version, stepId: next.stepId, waits });
      if (!found) return null;
      return { step: found.step, next: nextStepId(def, found.index), paused: status === 'paused' };
    },

    async latestJourneyVersion(input: { journeyKey: string }): Promise<number | null> {
      const v = await db.journeyVersion.findFirst({
        where: { journey: { key: input.journeyKey } },
        orderBy: { version: 'desc' },
        select: { version: true },
      });
      return v?.version ?? null;
    },

    async stepEntered(input: { workflowId: string; stepId: string }): Promise<void> {
      await db.journeyRun.updateMany({ where: { workflowId: input.workflowId }, data: { currentStep: input.stepId } });
    },

    async recordStep(log: StepLog): Promise<void> {
      await logAndMove(sql, log, null);
    },

    async runFinished(input: {
      workflowId: string;
      runId: string;
      contactId: string;
      journeyKey: string;
      status: RunStatus;
      reason: string | null;
    }): Promise<void> {
      await db.$transaction([
        db.journeyRun.updateMany({
          where: { workflowId: input.workflowId },
          data: { status: input.status, endedAt: new Date(), currentStep: null },
        }),
        db.journeyStepLog.createMany({
          data: [
            {
              logKey: `${input.workflowId}:${input.runId}:end`,
              contactId: input.contactId,
              workflowId: input.workflowId,
              journeyKey: input.journeyKey,
              stepId: '(end)',
              kind: 'end',
              outcome: input.status,
              detail: { reason: input.reason } as Prisma.InputJsonObject,
            },
          ],
          skipDuplicates: true,
        }),
      ]);
    },

    async triggerDate(input: { contactId: string; trigger: DateTrigger; now: string }): Promise<string | null> {
      const c = await db.contact.findUnique({ where: { id: input.contactId } });
      if (!c) return null;
      const raw = contactField(c, input.trigger.field);
      const at = triggerMoment(typeof raw === 'string' || typeof raw === 'number' ? raw : null, input.trigger, new Date(input.now));
      return at?.toISOString() ?? null;
    },

    /** `now` is the workflow's time (which test servers skip ahead), not this machine's. */
    async nextWindowStart(input: {
      contactId: string;
      days: string[];
      start: string;
      end: string;
      now: string;
    }): Promise<{ at: string; timeZone: string }> {
      const c = await db.contact.findUnique({ where: { id: input.contactId }, select: { timeZone: true } });
      const timeZone = c?.timeZone ?? 'UTC';
      return { at: nextWindowStart(new Date(input.now), timeZone, input.days, input.start, input.end).toISOString(), timeZone };
    },
  };
}
