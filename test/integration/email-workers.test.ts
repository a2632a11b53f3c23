// Email apart from journeys: a worker with WORKER_TASK_QUEUES=journeys runs the
// runs but sends nothing; one with WORKER_TASK_QUEUES=email and
// EMAIL_RATE_PER_SECOND sends them, no faster than the rate. Processes, as in
// production (cli/rapport.ts), on the shared Temporal and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY } from '../support/env';
import { startRoleCluster, until, type RoleCluster } from '../support/role-cluster';

const N = 20;
const RATE = 2;
let cluster: RoleCluster;

beforeAll(async () => {
  cluster = await startRoleCluster('it_email_workers', { LOG_LEVEL: 'info', FREQUENCY_CAP_PER_7D: '0' });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const welcomes = () => cluster.sink.messages.filter((m) => m.parsed.subject?.startsWith('Welcome to Rapport'));

describe('an email-only worker with a rate limit', () => {
  it('journeys run on one worker, their emails go out through the other, at most EMAIL_RATE_PER_SECOND', async () => {
    const { db, env } = cluster;
    const [server, journeys] = await Promise.all([cluster.server(), cluster.worker({ WORKER_TASK_QUEUES: 'journeys' })]);
    expect(journeys.ready.taskQueues).toEqual([env.TEMPORAL_TASK_QUEUE]);
    for (let i = 0; i < N; i++) {
      const r = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `mail-${i}`, type: 'signed_up', contact: { email: `mail${i}@example.com`, firstName: 'Mail' } }),
      });
      expect(r.status).toBe(202);
    }
    // The journeys worker has done its part: every sign-up's nurture run (started with
    // the welcome run) waits on its first step, and every welcome run exists. The
    // welcome sends are scheduled on the email task queue, which nobody polls yet.
    await until(
      'the journeys worker to run every run',
      async () =>
        (await db.journeyRun.count({ where: { journeyKey: 'nurture', currentStep: 'settle_in' } })) === N &&
        (await db.journeyRun.count({ where: { journeyKey: 'welcome', status: 'running' } })) === N,
    );
    expect(welcomes()).toHaveLength(0);
    expect(await db.messageSend.count({ where: { templateKey: 'welcome', status: 'sent' } })).toBe(0);

    const email = await cluster.worker({ WORKER_TASK_QUEUES: 'email', EMAIL_RATE_PER_SECOND: String(RATE) });
    expect(email.ready.taskQueues).toEqual([env.TEMPORAL_EMAIL_TASK_QUEUE]);
    expect(email.ready.emailRatePerSecond).toBe(RATE);
    await until('every welcome email', async () => welcomes().length === N, 90_000);
    // The send is marked `sent` just after the SMTP server took the message: wait for the last mark too.
    await until(
      'every welcome recorded sent',
      async () => (await db.messageSend.count({ where: { templateKey: 'welcome', status: 'sent' } })) === N,
    );
    const sent = await db.messageSend.findMany({ where: { templateKey: 'welcome', status: 'sent' }, select: { sentAt: true } });
    expect(sent).toHaveLength(N);
    const times = sent.map((s) => s.sentAt!.getTime()).sort((a, b) => a - b);
    // Temporal lets a first burst through (5 here: the worker's SMTP_POOL_SIZE of slots), then
    // paces the queue: the sends after the 6th come at about RATE a second (unlimited, they go some
    // 40 a second). Its limiter lets a few more through at times (a tail of 7 sends once measured
    // 7/s on a loaded CI machine): over a tail of 15 the bound is 2 × RATE.
    const tail = times.slice(5);
    const tailRate = (tail.length - 1) / ((tail.at(-1)! - tail[0]!) / 1000);
    expect(tailRate).toBeLessThanOrEqual(RATE * 2);
  }, 180_000);
});
