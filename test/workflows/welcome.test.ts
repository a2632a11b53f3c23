// The welcome journey on the time-skipping test server: three days pass in
// about a second. Activities are the real ones (PostgreSQL, SMTP).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyWorkflowId } from '../../journeys/ids';
import { statusQuery } from '../../shared/signals';
import { journeyFixture, type JourneyFixture } from '../support/fixtures';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal';

const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let fx: JourneyFixture;

beforeAll(async () => {
  [env, fx] = await Promise.all([createTimeSkippingEnv(), journeyFixture('wf_welcome')]);
});
afterAll(async () => {
  await env?.teardown();
  await fx?.close();
});

describe('welcome journey', () => {
  it('sends the welcome email at once and the tips email three days later', async () => {
    const contact = await fx.tdb.db.contact.create({ data: { email: 'grace@example.com', firstName: 'Grace' } });
    const taskQueue = 'welcome-test';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: fx.activities,
    });
    await worker.runUntil(async () => {
      const workflowId = journeyWorkflowId('welcome', contact.id);
      const handle = await env.client.workflow.start('journeyWorkflow', {
        workflowId,
        taskQueue,
        args: [{ contactId: contact.id, journeyKey: 'welcome', version: 1 }],
      });
      const welcome = await fx.sink.waitFor((m) => m.parsed.subject === 'Welcome to Rapport, Grace!');
      expect(welcome.envelopeTo).toEqual(['grace@example.com']);

      // The run now sleeps; its status says where and until when.
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 200 && status.nextWakeAt === null; i++) status = await handle.query(statusQuery);
      expect(status.currentStep).toBe('wait_3_days');
      const before = await env.currentTimeMs();
      expect(Date.parse(status.nextWakeAt!) - before).toBeGreaterThan(3 * DAY - 60_000);

      expect(await handle.result()).toBe('completed'); // skips the three days
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3 * DAY - 60_000);
      const tips = await fx.sink.waitFor((m) => m.parsed.subject === 'Three tips to get started, Grace');
      expect(tips.parsed.text).toContain('Import your contacts');

      const sends = await fx.tdb.db.messageSend.findMany({ where: { contactId: contact.id }, orderBy: { createdAt: 'asc' } });
      expect(sends.map((s) => [s.templateKey, s.status])).toEqual([
        ['welcome', 'sent'],
        ['getting-started', 'sent'],
      ]);
      const steps = await fx.tdb.db.journeyStepLog.findMany({ where: { workflowId }, orderBy: { at: 'asc' } });
      expect(steps.map((s) => `${s.stepId}:${s.outcome}`)).toEqual([
        'welcome_email:sent',
        'wait_3_days:waited',
        'tips_email:sent',
        '(end):completed',
      ]);
    });
  });

  it('sends nothing to a contact who unsubscribed, and says so', async () => {
    const contact = await fx.tdb.db.contact.create({
      data: { email: 'nomail@example.com', firstName: 'No', subscriptions: { journeys: 'unsubscribed' } },
    });
    const taskQueue = 'welcome-unsub';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: fx.activities,
    });
    await worker.runUntil(async () => {
      const workflowId = journeyWorkflowId('welcome', contact.id);
      await env.client.workflow.execute('journeyWorkflow', {
        workflowId,
        taskQueue,
        args: [{ contactId: contact.id, journeyKey: 'welcome', version: 1 }],
      });
      const sends = await fx.tdb.db.messageSend.findMany({ where: { contactId: contact.id } });
      expect(sends.map((s) => s.status)).toEqual(['suppressed', 'suppressed']);
      expect(fx.sink.messages.some((m) => m.envelopeTo.includes('nomail@example.com'))).toBe(false);
    });
  });
});
