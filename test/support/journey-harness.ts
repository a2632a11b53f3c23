// Runs journeys on the time-skipping test server with the real activities
// (PostgreSQL, SMTP sink) and the real dispatcher, driven step by step:
// `event()` stores an event and dispatches it at once, no polling.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Contact, Prisma } from '@prisma/client';
import { Dispatcher } from '../../events/dispatcher';
import { ingestEvent } from '../../events/ingest';
import { journeyWorkflowId } from '../../journeys/ids';
import { journeyDefinitionSchema, type JourneyDefinitionInput } from '../../journeys/schema';
import { publishJourney } from '../../journeys/store';
import { createLogger } from '../../lib/logger';
import { JOURNEY_ENGINE } from '../../shared/journey-run';
import type { JourneyInput } from '../../workflows/context';
import { journeyFixture, type JourneyFixture } from './fixtures';
import { createTimeSkippingEnv, workflowBundle } from './temporal';

let seq = 0;

export interface Harness {
  env: TestWorkflowEnvironment;
  fx: JourneyFixture;
  taskQueue: string;
  dispatcher: Dispatcher;
  publish(def: JourneyDefinitionInput): Promise<number>;
  contact(data?: Partial<Prisma.ContactCreateInput>): Promise<Contact>;
  /** Starts a run directly (as the dispatcher would), without an event. */
  start(
    journeyKey: string,
    contactId: string,
    extra?: Partial<JourneyInput>,
  ): Promise<ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>>;
  /** Stores an event about the contact and dispatches pending events now. */
  event(contactId: string, type: string, properties?: Record<string, unknown>, occurredAt?: Date): Promise<string>;
  /** Dispatches pending events (system events written by activities, say). */
  dispatch(): Promise<number>;
  steps(workflowId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** `wrap` may observe the activities the worker runs (e.g. the workflow time a send was asked at). */
export async function journeyHarness(
  name: string,
  wrap: (acts: JourneyFixture['activities']) => JourneyFixture['activities'] = (a) => a,
): Promise<Harness> {
  const [env, fx, bundle] = await Promise.all([createTimeSkippingEnv(), journeyFixture(name), workflowBundle()]);
  const taskQueue = `${name}-q`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: wrap(fx.activities),
  });
  const running = worker.run();
  const dispatcher = new Dispatcher({
    db: fx.tdb.db,
    client: env.client,
    log: createLogger('test', 'silent'),
    taskQueue,
    emailTaskQueue: taskQueue,
    batchSize: 100,
    pollMs: 1000,
    maxBackoffSeconds: 1,
  });
  const db = fx.tdb.db;
  const h: Harness = {
    env,
    fx,
    taskQueue,
    dispatcher,
    async publish(def) {
      return (await publishJourney(db, journeyDefinitionSchema.parse(def))).version;
    },
    contact: (data = {}) => db.contact.create({ data: { email: `c${++seq}-${name}@example.com`, firstName: 'Casey', ...data } }),
    async start(journeyKey, contactId, extra = {}) {
      const j = await db.journeyDefinition.findUniqueOrThrow({
        where: { key: journeyKey },
        include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
      });
      const version = extra.version ?? j.versions[0]!.version;
      const workflowId = journeyWorkflowId(journeyKey, contactId);
      await db.journeyRun.upsert({
        where: { workflowId },
        create: { workflowId, contactId, journeyKey, journeyVersion: version },
        update: { status: 'running', journeyVersion: version },
      });
      await env.client.workflow.start('journeyWorkflow', {
        workflowId,
        taskQueue,
        // As the dispatcher starts runs: with today's interpreter generation (extra may say otherwise).
        args: [{ contactId, journeyKey, version, engine: JOURNEY_ENGINE, ...extra }],
      });
      return env.client.workflow.getHandle(workflowId);
    },
    async event(contactId, type, properties = {}, occurredAt) {
      const r = await ingestEvent(db, 'test', {
        id: `e${++seq}`,
        type,
        contact: { id: contactId },
        properties: properties as Record<string, Prisma.JsonValue> as never,
        occurredAt: (occurredAt ?? new Date(await env.currentTimeMs())).toISOString(),
      });
      await h.dispatch();
      return r.eventId;
    },
    async dispatch() {
      let total = 0;
      for (let n = await dispatcher.dispatchBatch(); n > 0; n = await dispatcher.dispatchBatch()) total += n;
      return total;
    },
    async steps(workflowId) {
      const rows = await db.journeyStepLog.findMany({ where: { workflowId }, orderBy: [{ at: 'asc' }] });
      return rows.map((r) => `${r.stepId}:${r.outcome}`);
    },
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      await fx.close();
    },
  };
  return h;
}
