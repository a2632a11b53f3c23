// The simulator against the real thing: the same journey (a wait, a branch on
// events, a goal) and the same future events, once on the time-skipping
// Temporal server with the real activities (PostgreSQL, SMTP) and once in the
// simulator. Same steps, outcomes, reasons, send times and end.
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyDefinitionSchema, type JourneyDefinitionInput } from '../../journeys/schema';
import { simulateJourney } from '../../simulator/simulate';
import { statusQuery } from '../../shared/signals';
import { journeyHarness, type Harness } from '../support/journey-harness';

const DAY = 86_400_000;
let runs = 0;
// What the run under test asked, by workflow id (shipped journeys also run on purchases).
const sends: { workflowId: string; stepId: string; now: string }[] = [];
const branches: { workflowId: string; now: string }[] = [];
const workflowId = () => Context.current().info.workflowExecution?.workflowId ?? '';
let h: Harness;
beforeAll(async () => {
  h = await journeyHarness('wf_sim', (acts) => ({
    ...acts,
    sendEmail: async (input) => {
      sends.push({ workflowId: workflowId(), stepId: input.stepId, now: input.now ?? '' });
      return acts.sendEmail(input);
    },
    evaluateBranch: async (input) => {
      branches.push({ workflowId: workflowId(), now: input.now });
      return acts.evaluateBranch(input);
    },
  }));
});
afterAll(async () => {
  await h?.close();
});

const journey = (key: string): JourneyDefinitionInput =>
  ({
    key,
    name: 'Simulated',
    trigger: { type: 'api' },
    goals: [{ event: 'purchase', outcome: 'converted' }],
    steps: [
      { id: 'hello', type: 'send_email', template: 'welcome' },
      { id: 'pause', type: 'wait', duration: '2d' },
      {
        id: 'engaged',
        type: 'branch',
        cases: [{ label: 'engaged', when: { event: 'page_viewed', where: { path: '/pricing' }, within: '7d' }, next: 'offer' }],
        otherwise: 'bye',
      },
      { id: 'offer', type: 'send_email', template: 'getting-started' },
      { id: 'later', type: 'wait', duration: '5d' },
      { id: 'bye', type: 'exit', outcome: 'exited', reason: 'not engaged' },
    ],
  }) as JourneyDefinitionInput;

/** Runs the journey for real: events sent when the workflow clock reaches their offsets. */
async function realRun(key: string, events: { type: string; properties: Record<string, unknown>; atMs: number }[]) {
  await h.publish(journey(key));
  const c = await h.contact({ marketingConsent: true });
  const handle = await h.start(key, c.id);
  const t0 = (await handle.describe()).startTime.getTime();
  await handle.query(statusQuery); // the first workflow task has run
  for (const e of events) {
    const now = await h.env.currentTimeMs();
    if (t0 + e.atMs > now) await h.env.sleep(t0 + e.atMs - now);
    await h.event(c.id, e.type, e.properties);
  }
  const status = await handle.result();
  const closed = (await handle.describe()).closeTime!.getTime();
  const rows = await h.fx.tdb.db.journeyStepLog.findMany({ where: { workflowId: handle.workflowId }, orderBy: { at: 'asc' } });
  return {
    t0,
    status,
    closed,
    sends: sends.filter((s) => s.workflowId === handle.workflowId),
    branches: branches.filter((b) => b.workflowId === handle.workflowId),
    contact: await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } }),
    rows,
  };
}

const within = (a: number, b: number, ms: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(ms);

describe('the simulation and a real time-skipping run of the same journey', () => {
  for (const [name, events] of [
    [
      'a pricing view, then a purchase during the second wait (goal)',
      [
        { type: 'page_viewed', properties: { path: '/pricing' }, atMs: 1 * DAY },
        { type: 'purchase', properties: { amount: 30 }, atMs: 4 * DAY },
      ],
    ],
    ['no pricing view (otherwise branch, exit)', [{ type: 'page_viewed', properties: { path: '/blog' }, atMs: 1 * DAY }]],
  ] as const) {
    it(`agree: ${name}`, async () => {
      const key = `sim_${++runs}`;
      const list = events.map((e) => ({ ...e, properties: { ...e.properties } }));
      const real = await realRun(key, list);
      const sim = await simulateJourney({
        definition: journeyDefinitionSchema.parse(journey(key)),
        version: 1,
        contact: real.contact,
        events: list,
        start: new Date(real.t0),
        horizonMs: 400 * DAY,
        // The real run's events are in its database; the simulation must see only its own.
        history: async () => [],
      });

      const realSteps = real.rows
        .filter((r) => r.stepId !== '(end)')
        .map((r) => [r.stepId, r.outcome, (r.detail as { why?: string }).why ?? null]);
      expect(sim.steps.map((s) => [s.step, s.outcome, typeof s.detail.why === 'string' ? s.detail.why : null])).toEqual(realSteps);
      expect(sim.end.status).toBe(real.status);
      expect(real.rows.at(-1)).toMatchObject({ stepId: '(end)', outcome: real.status });
      expect(sim.end.reason).toBe((real.rows.at(-1)!.detail as { reason: string | null }).reason);
      // Times: the workflow clock of the real run (sends and branch evaluations), to the second.
      expect(sim.emails.map((e) => e.step)).toEqual(real.sends.map((s) => s.stepId));
      sim.emails.forEach((e, i) => within(Date.parse(e.at), Date.parse(real.sends[i]!.now), 5_000));
      expect(sim.decisions).toHaveLength(real.branches.length);
      sim.decisions.forEach((d, i) => within(Date.parse(d.at), Date.parse(real.branches[i]!.now), 5_000));
      within(Date.parse(sim.end.at), real.closed, 60_000);
    });
  }
});
