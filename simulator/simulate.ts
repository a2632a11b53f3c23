// Simulates one contact's run of a journey: the real interpreter loop
// (workflows/interpreter.ts) and the real step handlers (workflows/steps), with
// a virtual clock for timers, the given future events delivered as signals at
// their times, and activities replaced by pure simulations over the contact in
// memory (nothing is sent, stored or called). Conditions are evaluated by the
// same evaluator as in production (journeys/conditions.ts), over the simulated
// events (and, for a stored contact, its stored history).
import type { Contact, Prisma } from '@prisma/client';
import type { Activities } from '../activities';
import { triggerMoment, type JourneyMeta, type ResolvedStep, type RunStatus } from '../activities/journeys';
import { applyContactUpdate, describeContactUpdate } from '../contacts/journey-update';
import { subscriptionBlock } from '../email/suppression';
import type { JourneyEvent } from '../events/schema';
import { contactField, evaluateConditionWith, type EventLookup } from '../journeys/conditions';
import { runHearsOf } from '../journeys/interest';
import { SYSTEM_EVENTS } from '../journeys/match';
import { nextStepId, type JourneyDefinition } from '../journeys/schema';
import { nextWindowStart } from '../journeys/time-window';
import { DECISION_TYPES, stepWhy } from '../journeys/why';
import type { JourneyInput, RunState, StepContext } from '../workflows/context';
import { createContextCore } from '../workflows/context';
import { interpretJourney, type JourneyRuntime } from '../workflows/interpreter';
import type { JourneyStatus } from '../shared/signals';
import type { DescribedContact } from './schema';

export interface SimEvent {
  type: string;
  properties: Record<string, unknown>;
  /** ms after the start */
  atMs: number;
}

export interface SimulateOptions {
  definition: JourneyDefinition;
  /** The published version simulated (null: a draft). */
  version: number | null;
  contact: Contact;
  events: SimEvent[];
  triggerProperties?: Record<string, unknown>;
  start: Date;
  horizonMs: number;
  webhooks?: Record<string, { status: number; body: unknown }>;
  /** Stored events of a real contact before the start (for event conditions). */
  history?: EventLookup;
}

export interface SimStep {
  step: string;
  type: string;
  enteredAt: string;
  leftAt: string;
  outcome: string;
  /** Why the step did what it did (a branch's reason, a send's suppression, ...): journeys/why.ts, as on the timeline. */
  why: string | null;
  detail: Record<string, string | number | boolean | null | undefined>;
}

export interface SimulationResult {
  journey: { key: string; version: number | null };
  contact: { id: string | null; described: boolean };
  startedAt: string;
  steps: SimStep[];
  emails: { step: string; template: string; at: string; outcome: string; reason: string | null }[];
  decisions: { step: string; type: string; at: string; outcome: string; why: string }[];
  events: { type: string; at: string; heard: boolean }[];
  end:
    | { status: RunStatus; at: string; reason: string | null }
    | { status: 'waiting'; at: string; step: string | null; until: string | null; reason: string }
    | { status: 'stopped'; at: string; step: string | null; reason: string };
}

/** Most steps one simulation walks (a loop with waits in it could go on for the whole horizon). */
export const MAX_SIMULATED_STEPS = 500;

class Stop extends Error {
  constructor(readonly end: SimulationResult['end']) {
    super(end.status);
  }
}

export async function simulateJourney(o: SimulateOptions): Promise<SimulationResult> {
  const def = o.definition;
  const t0 = o.start.getTime();
  const horizon = t0 + o.horizonMs;
  let clock = t0;
  const iso = (ms: number) => new Date(ms).toISOString();
  let contact: Contact = { ...o.contact };
  const contactId = contact.id;
  const hears = runHearsOf(def);

  // The future, in order; events at the same moment keep the order given.
  const queue = o.events.map((e, i) => ({ ...e, at: t0 + e.atMs, eventId: `sim-${i + 1}`, i })).sort((a, b) => a.at - b.at || a.i - b.i);
  const occurred: { type: string; properties: Record<string, unknown>; at: number }[] = [];
  const eventLog: SimulationResult['events'] = [];
  let deliver: (e: JourneyEvent) => void = () => {};
  let lastApproval: string | null = null;

  const triggerEvent: JourneyEvent | null =
    def.trigger.type === 'event'
      ? {
          eventId: 'sim-trigger',
          type: Array.isArray(def.trigger.event) ? def.trigger.event[0]! : def.trigger.event,
          properties: o.triggerProperties ?? {},
          occurredAt: iso(t0),
        }
      : null;

  /** Delivers every event due by `until` (an event at a timer's moment arrives first). */
  const deliverDue = (until: number, ready: () => boolean) => {
    while (queue.length && queue[0]!.at <= until) {
      const e = queue.shift()!;
      clock = Math.max(clock, e.at);
      let properties = e.properties;
      if (e.type === SYSTEM_EVENTS.approvalDecided && properties.approvalId === undefined && lastApproval)
        properties = { ...properties, approvalId: lastApproval };
      occurred.push({ type: e.type, properties, at: e.at });
      // As the dispatcher does: a run hears only of events its journey reacts to.
      const heard = hears({ type: e.type, properties });
      eventLog.push({ type: e.type, at: iso(e.at), heard });
      if (heard) deliver({ eventId: e.eventId, type: e.type, properties, occurredAt: iso(e.at) });
      if (ready()) return true;
    }
    return false;
  };

  const steps: SimStep[] = [];
  let finishReason: string | null = null;
  const emails: SimulationResult['emails'] = [];
  let entering: { step: string; at: number } | null = null;
  let statusOf: () => JourneyStatus = () => ({
    journeyKey: def.key,
    version: o.version ?? 0,
    currentStep: null,
    nextWakeAt: null,
    stepsTaken: 0,
    paused: false,
  });

  const lookup: EventLookup = async ({ type, since }) => {
    const past = o.history ? await o.history({ contactId, type, since }) : [];
    const simulated = occurred
      .filter((e) => e.type === type && e.at <= clock && (!since || e.at >= since.getTime()))
      .map((e) => ({ properties: e.properties }));
    const trig = triggerEvent && triggerEvent.type === type ? [{ properties: triggerEvent.properties }] : [];
    return [...past, ...trig, ...simulated];
  };

  const stepOf = (stepId: string | null) => {
    const index = stepId === null ? 0 : def.steps.findIndex((s) => s.id === stepId);
    return { index, step: def.steps[index] };
  };

  // The activities a run calls, simulated: they read and change only `contact` here.
  const impl: Partial<Activities> = {
    async journeyMeta(): Promise<JourneyMeta> {
      return { goals: def.goals, category: def.category, dateTrigger: def.trigger.type === 'date' ? def.trigger : null };
    },
    async journeyStep(ref): Promise<ResolvedStep | null> {
      const { index, step } = stepOf(ref.stepId);
      if (!step) return null;
      if (steps.length >= MAX_SIMULATED_STEPS)
        throw new Stop({
          status: 'stopped',
          at: iso(clock),
          step: step.id,
          reason: `more than ${MAX_SIMULATED_STEPS} steps: the journey loops`,
        });
      entering = { step: step.id, at: clock };
      return { step, next: nextStepId(def, index), paused: false };
    },
    // The merged lookups (workflows/interpreter.ts) as their parts, in the order a worker does them.
    async journeyStart(ref) {
      const meta = await impl.journeyMeta!(ref);
      return ref.stepId === null && meta.dateTrigger ? { meta } : { meta, first: await impl.journeyStep!(ref) };
    },
    async advanceStep({ done, next }) {
      await impl.recordStep!(done);
      return impl.journeyStep!(next);
    },
    async latestJourneyVersion() {
      return o.version;
    },
    async stepEntered() {},
    async recordStep(log) {
      const detail = log.detail ?? {};
      const why = stepWhy(log.kind, log.outcome, detail);
      steps.push({
        step: log.stepId,
        type: log.kind,
        enteredAt: iso(entering?.step === log.stepId ? entering.at : clock),
        leftAt: iso(clock),
        outcome: log.outcome,
        why,
        detail,
      });
    },
    async runFinished(input) {
      finishReason = input.reason;
    },
    async triggerDate(input) {
      const raw = contactField(contact, input.trigger.field);
      const at = triggerMoment(typeof raw === 'string' || typeof raw === 'number' ? raw : null, input.trigger, new Date(input.now));
      return at?.toISOString() ?? null;
    },
    async nextWindowStart(input) {
      return {
        at: nextWindowStart(new Date(input.now), contact.timeZone, input.days, input.start, input.end).toISOString(),
        timeZone: contact.timeZone,
      };
    },
    async evaluateBranch(input) {
      const explanations: string[] = [];
      for (const [i, c] of input.conditions.entries()) {
        const e = await evaluateConditionWith(lookup, contact, c, input.vars, new Date(input.now));
        explanations.push(e.why);
        if (e.result) return { matched: i, explanations };
      }
      return { matched: null, explanations };
    },
    async sendEmail(input) {
      // Consent as the send activity checks it (the suppression list and the
      // send policy's caps and quiet hours are not simulated).
      const category = input.category ?? 'journeys';
      const blocked = category === 'transactional' ? null : subscriptionBlock(contact, category);
      const outcome = blocked ? 'suppressed' : 'sent';
      emails.push({ step: input.stepId, template: input.templateKey, at: input.now ?? iso(clock), outcome, reason: blocked });
      return blocked
        ? { outcome: 'suppressed', sendId: `sim-send-${emails.length}`, reason: blocked }
        : { outcome: 'sent', sendId: `sim-send-${emails.length}` };
    },
    async updateContact(input) {
      const { attributes, tags } = applyContactUpdate(contact.attributes as Record<string, unknown>, contact.tags, input);
      contact = {
        ...contact,
        attributes: attributes as Prisma.JsonObject,
        tags,
        loyaltyPoints: contact.loyaltyPoints + (input.addPoints ?? 0),
        ...(input.setTier !== undefined ? { tier: input.setTier } : {}),
        ...(input.subscriptions
          ? { subscriptions: { ...(contact.subscriptions as Record<string, unknown>), ...input.subscriptions } as Prisma.JsonObject }
          : {}),
      };
      return { applied: true, summary: describeContactUpdate(input) };
    },
    async issueCoupon(input) {
      return {
        id: 'sim-coupon',
        code: `${input.prefix}-SIMULATED`,
        value: input.value,
        valueCents: Math.round(input.value * 100),
        currency: contact.currency,
        expiresAt: null,
      };
    },
    async createSalesTask(input) {
      const owner = input.owner === 'contact.owner' ? (contact.ownerEmail ?? input.fallbackOwner) : input.owner;
      if (!owner) return { taskId: null, why: 'the contact has no owner and the step no fallbackOwner' };
      return { taskId: 'sim-task', owner: '[owner]', dueAt: iso(clock), notified: input.notify };
    },
    async requestApproval(input) {
      lastApproval = `sim-approval-${steps.length + 1}`;
      return { approvalId: lastApproval, deadline: iso(Date.parse(input.now) + input.deadlineMs) };
    },
    async expireApproval(input) {
      return { decision: input.onTimeout === 'approve' ? 'approved' : 'rejected' };
    },
    async callWebhook() {
      const answer = o.webhooks?.[entering?.step ?? ''] ?? { status: 200, body: {} };
      return { status: answer.status, body: answer.body };
    },
    async enrolContact() {},
  };
  const acts = new Proxy(impl, {
    get(target, name) {
      const f = typeof name === 'string' ? target[name as keyof Activities] : undefined;
      return f ?? (() => Promise.reject(new Error(`the simulation has no activity ${String(name)}`)));
    },
  }) as Activities; // every activity a journey run calls is in `impl`

  const runtime: JourneyRuntime = {
    handlers(h) {
      deliver = h.event;
      statusOf = h.status;
    },
    context(input: JourneyInput, state: RunState, meta: () => JourneyMeta | null, setNextWake: (at: Date | null) => void): StepContext {
      return createContextCore({
        input,
        state,
        meta,
        setNextWake,
        workflowId: `simulation/${def.key}/${contactId}`,
        firstExecutionRunId: 'simulation',
        localActivities: true,
        acts,
        activitiesWith: () => acts,
        now: () => clock,
        // A durable timer on the virtual clock: events due before it fire are
        // delivered at their moments; nothing due and no limit is the end of
        // the simulation (the run would wait for ever).
        async condition(done, ms): Promise<boolean> {
          if (done()) return true;
          const deadline = ms === null ? Infinity : clock + ms;
          if (deliverDue(Math.min(deadline, horizon), done)) return true;
          if (deadline > horizon) {
            const at = Math.min(deadline, horizon);
            const step = statusOf().currentStep;
            throw new Stop({
              status: 'waiting',
              at: iso(Math.max(clock, at === Infinity ? clock : at)),
              step,
              until: deadline === Infinity ? null : iso(deadline),
              reason:
                deadline === Infinity
                  ? `waits at ${step ?? 'the start'} with nothing left to happen`
                  : `still waiting at ${step ?? 'the start'} at the end of the simulated time`,
            });
          }
          clock = deadline;
          return done();
        },
      });
    },
    runId: () => 'simulation',
    historyTooLong: () => false,
    stepsMerged: () => true,
    async continueAsNew() {
      throw new Stop({ status: 'completed', at: iso(clock), reason: 'completed; an annual journey starts again next year' });
    },
  };

  const input: JourneyInput = { contactId, journeyKey: def.key, version: o.version ?? 0, triggerEventId: triggerEvent?.eventId };
  let end: SimulationResult['end'];
  const finished = interpretJourney(input, runtime);
  // Signal-with-start: the trigger event is in the run before its first step, as are events due at the start.
  if (triggerEvent) deliver(triggerEvent);
  deliverDue(t0, () => false);
  try {
    const status = await finished;
    end = { status, at: iso(clock), reason: finishReason ?? (status === 'completed' ? 'no next step' : null) };
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    end = err.end;
  }
  for (const e of queue) eventLog.push({ type: e.type, at: iso(e.at), heard: false });

  return {
    journey: { key: def.key, version: o.version },
    contact: { id: o.contact.id.startsWith('described-') ? null : o.contact.id, described: o.contact.id.startsWith('described-') },
    startedAt: iso(t0),
    steps,
    emails,
    decisions: steps
      .filter((s) => DECISION_TYPES.has(s.type))
      .map((s) => ({ step: s.step, type: s.type, at: s.leftAt, outcome: s.outcome, why: s.why ?? s.outcome })),
    events: eventLog,
    end,
  };
}

/** A contact that need not exist, with the defaults a new contact gets. */
export function describedContact(d: DescribedContact, start: Date): Contact {
  const date = (s: string | undefined) => (s ? new Date(s) : null);
  return {
    id: `described-${start.getTime()}`,
    email: d.email ?? 'someone@example.com',
    externalId: d.externalId ?? null,
    firstName: d.firstName ?? null,
    lastName: d.lastName ?? null,
    company: d.company ?? null,
    phone: d.phone ?? null,
    timeZone: d.timeZone ?? 'UTC',
    locale: d.locale ?? 'en',
    currency: d.currency ?? 'USD',
    attributes: (d.attributes ?? {}) as Prisma.JsonObject,
    tags: d.tags ?? [],
    subscriptions: (d.subscriptions ?? {}) as Prisma.JsonObject,
    marketingConsent: d.marketingConsent ?? true,
    consentUpdatedAt: null,
    lifetimeSpendCents: BigInt(Math.round((d.lifetimeSpend ?? 0) * 100)),
    tier: d.tier ?? null,
    loyaltyPoints: d.loyaltyPoints ?? 0,
    purchaseCount: d.purchaseCount ?? 0,
    lastPurchaseAt: date(d.lastPurchaseAt),
    firstPurchaseAt: date(d.firstPurchaseAt),
    nextPurchaseDueAt: date(d.nextPurchaseDueAt),
    newslettersSinceLastClick: d.newslettersSinceLastClick ?? 0,
    newsletterSunsetAt: null,
    lastClickAt: date(d.lastClickAt),
    lastOpenAt: date(d.lastOpenAt),
    ownerEmail: d.ownerEmail ?? null,
    createdAt: date(d.createdAt) ?? start,
    updatedAt: start,
    deletedAt: null,
  };
}
