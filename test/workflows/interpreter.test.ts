// The interpreter as a whole: a journey of every step kind walked over
// simulated weeks, continue-as-new, version pinning, pause and deletion.
// With RECORD_HISTORIES=1 it also refreshes the histories that the replay test
// (test/workflows/replay.test.ts) uses to catch non-deterministic changes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { decideApproval } from '../../approvals/decide';
import { deleteContact } from '../../contacts/service';
import type { JourneyDefinitionInput } from '../../journeys/schema';
import { resumeSignal, statusQuery } from '../../shared/signals';
import { recordHistory } from '../support/histories';
import { journeyHarness, type Harness } from '../support/journey-harness';

let h: Harness;
let hook: Server;
let hookUrl: string;
beforeAll(async () => {
  h = await journeyHarness('wf_interp');
  hook = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"score":90}'));
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/score`;
});
afterAll(async () => {
  await new Promise<void>((r) => hook.close(() => r()));
  await h?.close();
});

const DAY = 86_400_000;

describe('a journey of every step kind, over simulated weeks', () => {
  it('walks every step and leaves the record, tasks, approvals and timeline it should', async () => {
    await h.publish({
      key: 'i_target',
      name: 'target',
      trigger: { type: 'api' },
      steps: [{ id: 'mark', type: 'update_contact', addTags: ['second-journey'] }],
    } as JourneyDefinitionInput);
    await h.publish({
      key: 'i_tour',
      name: 'Grand tour',
      trigger: { type: 'api' },
      goals: [{ event: 'refund_requested', outcome: 'exited' }],
      steps: [
        { id: 'hello', type: 'send_email', template: 'welcome' },
        { id: 'week', type: 'wait', duration: '1w' },
        { id: 'score', type: 'webhook', url: hookUrl },
        {
          id: 'hot',
          type: 'branch',
          cases: [{ label: 'hot', when: { field: 'steps.score.body.score', op: 'gte', value: 50 }, next: 'ab' }],
          otherwise: 'bye',
        },
        {
          id: 'ab',
          type: 'split',
          variants: [
            { name: 'a', percent: 50, next: 'tag' },
            { name: 'b', percent: 50, next: 'tag' },
          ],
        },
        { id: 'tag', type: 'update_contact', addTags: ['toured'], addPoints: 10, setTier: 'silver' },
        { id: 'call', type: 'create_task', owner: 'contact.owner', due: '2d', reason: 'Tour follow-up' },
        {
          id: 'ok',
          type: 'approval',
          approver: 'boss@example.com',
          subject: 'Tour reward',
          deadline: '3d',
          onApprove: 'window',
          onReject: 'bye',
        },
        { id: 'window', type: 'wait_until_window', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
        { id: 'demo', type: 'wait_for_event', event: 'demo_clicked', timeout: '1w', onEvent: 'more', onTimeout: 'bye' },
        { id: 'more', type: 'enrol', journey: 'i_target', next: 'won' },
        { id: 'won', type: 'exit', outcome: 'converted', reason: 'demo' },
        { id: 'bye', type: 'exit', outcome: 'exited', reason: 'cold' },
      ],
    } as JourneyDefinitionInput);
    const c = await h.contact({ firstName: 'Tour', ownerEmail: 'rep@example.com', timeZone: 'Europe/Paris' });
    const handle = await h.start('i_tour', c.id);
    const t0 = (await handle.describe()).startTime.getTime();

    // The approval comes a day after the week's wait; the demo click two days later.
    const approval = await (async () => {
      for (;;) {
        const a = await h.fx.tdb.db.approval.findFirst({ where: { contactId: c.id } });
        if (a) return a;
        await h.env.sleep('1h');
      }
    })();
    await h.env.sleep('1d');
    await decideApproval(h.fx.tdb.db, { id: approval.id, decision: 'approve', by: 'boss@example.com' });
    await h.dispatch();
    for (;;) {
      const s = await handle.query(statusQuery);
      if (s.currentStep === 'demo') break;
      await h.env.sleep('1h');
    }
    await h.env.sleep('2d');
    await h.event(c.id, 'demo_clicked');
    expect(await handle.result()).toBe('converted');
    const t1 = (await handle.describe()).closeTime!.getTime();
    expect(t1 - t0).toBeGreaterThan(10 * DAY);

    const steps = await h.steps(handle.workflowId);
    expect(steps.map((s) => s.split(':')[0])).toEqual([
      'hello',
      'week',
      'score',
      'hot',
      'ab',
      'tag',
      'call',
      'ok',
      'window',
      'demo',
      'more',
      'won',
      '(end)',
    ]);
    expect(steps).toEqual(
      expect.arrayContaining([
        'hello:sent',
        'week:waited',
        'score:http_200',
        'hot:hot',
        'ok:approved',
        'demo:event_received',
        'more:enrolled',
        '(end):converted',
      ]),
    );
    const after = await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } });
    expect(after).toMatchObject({ tier: 'silver', loyaltyPoints: 10 });
    expect(after.tags).toContain('toured');
    expect(await h.fx.tdb.db.salesTask.count({ where: { contactId: c.id } })).toBe(1);
    await h.dispatch(); // the enrolment request
    expect(await h.env.client.workflow.getHandle(`journey/i_target/${c.id}`).result()).toBe('completed');
    // Started with the interpreter generation: no patch markers, so no search-attribute upserts.
    const events = (await handle.fetchHistory()).events ?? [];
    const types = events.map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
    expect(types).not.toContain('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES');
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
    await recordHistory(h.env.client, 'grand-tour', handle.workflowId);
  });
});

describe('continue-as-new', () => {
  it('carries the run into a fresh history when it grows, and finishes the same', async () => {
    await h.publish({
      key: 'i_loop',
      name: 'loop',
      trigger: { type: 'api' },
      steps: [
        { id: 'tick', type: 'wait', duration: '1d' },
        { id: 'point', type: 'update_contact', addPoints: 1 },
        { id: 'again', type: 'branch', cases: [{ when: { field: 'loyaltyPoints', op: 'lt', value: 6 }, next: 'tick' }], otherwise: null },
      ],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    const handle = await h.start('i_loop', c.id, { historyLimit: 40 });
    const first = (await handle.describe()).runId;
    expect(await handle.result()).toBe('completed');
    const last = await h.env.client.workflow.getHandle(handle.workflowId).describe();
    expect(last.runId).not.toBe(first); // it continued as new at least once
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).loyaltyPoints).toBe(6);
    expect((await h.steps(handle.workflowId)).filter((s) => s.startsWith('point:'))).toHaveLength(6);
  });
});

describe('versions', () => {
  it('keeps a run on the version it started on when a new one is published', async () => {
    await h.publish({
      key: 'i_ver',
      name: 'v',
      trigger: { type: 'api' },
      steps: [
        { id: 'w', type: 'wait', duration: '2d' },
        { id: 'tag', type: 'update_contact', addTags: ['v1'] },
      ],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    const handle = await h.start('i_ver', c.id);
    expect(
      await h.publish({
        key: 'i_ver',
        name: 'v',
        trigger: { type: 'api' },
        steps: [
          { id: 'w', type: 'wait', duration: '2d' },
          { id: 'tag', type: 'update_contact', addTags: ['v2'] },
        ],
      } as JourneyDefinitionInput),
    ).toBe(2);
    await handle.result();
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).tags).toEqual(['v1']);
  });
});

describe('pause and resume', () => {
  it('holds runs before their next step while paused, and continues on resume', async () => {
    await h.publish({
      key: 'i_pause',
      name: 'p',
      trigger: { type: 'api' },
      steps: [
        { id: 'w', type: 'wait', duration: '1h' },
        { id: 'tag', type: 'update_contact', addTags: ['done'] },
      ],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    const handle = await h.start('i_pause', c.id);
    await h.fx.tdb.db.journeyDefinition.update({ where: { key: 'i_pause' }, data: { status: 'paused' } });
    await h.env.sleep('3h');
    expect(await handle.query(statusQuery)).toMatchObject({ paused: true });
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).tags).toEqual([]);
    await h.fx.tdb.db.journeyDefinition.update({ where: { key: 'i_pause' }, data: { status: 'active' } });
    await handle.signal(resumeSignal);
    expect(await handle.result()).toBe('completed');
    expect((await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } })).tags).toEqual(['done']);
  });
});

describe('deleting a contact', () => {
  it('ends their runs at once, with the reason on the timeline', async () => {
    await h.publish({
      key: 'i_del',
      name: 'd',
      trigger: { type: 'api' },
      steps: [
        { id: 'w', type: 'wait', duration: '30d' },
        { id: 'mail', type: 'send_email', template: 'welcome' },
      ],
    } as JourneyDefinitionInput);
    const c = await h.contact();
    const handle = await h.start('i_del', c.id);
    await h.env.sleep('1d');
    await deleteContact(h.fx.tdb.db, c.id);
    await h.dispatch();
    expect(await handle.result()).toBe('exited');
    const end = await h.fx.tdb.db.journeyStepLog.findFirstOrThrow({ where: { workflowId: handle.workflowId, stepId: '(end)' } });
    expect(end.detail).toEqual({ reason: 'contact deleted' });
    const gone = await h.fx.tdb.db.contact.findUniqueOrThrow({ where: { id: c.id } });
    expect(gone.firstName).toBeNull();
    expect(gone.email).toBe(`deleted+${c.id}@invalid`);
  });
});
