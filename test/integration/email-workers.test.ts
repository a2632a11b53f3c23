// Email apart from journeys: a worker with WORKER_TASK_QUEUES=journeys runs the
// runs but sends nothing; one with WORKER_TASK_QUEUES=email and
// EMAIL_RATE_PER_SECOND sends them, no faster than the rate. Processes, as in
// production (cli/rapport.ts), on the shared Temporal and PostgreSQL.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../lib/db';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { startRole, type RoleProcess } from '../../stack/role-process';
import { ROOT } from '../../stack/tools';
import { freePort } from '../../stack/net';
import { createEmptyDatabase } from '../support/db';
import { TEST_API_KEY, testEnv } from '../support/env';

const N = 12;
const RATE = 2;
let sink: MailSink;
let db: Db;
let env: Record<string, string>;
const procs: RoleProcess[] = [];
const quiet = () => undefined;

beforeAll(async () => {
  const url = await createEmptyDatabase('it_email_workers');
  sink = await startMailSink({ smtpPort: 0 });
  env = {
    ...(process.env as Record<string, string>),
    ...testEnv({
      databaseUrl: url,
      temporalAddress: inject('temporalAddress'),
      smtpUrl: sink.smtpUrl,
      overrides: { LOG_LEVEL: 'info', FREQUENCY_CAP_PER_7D: '0' },
    }).raw,
  };
  const migrated = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'rapport.ts'), 'migrate'], { env, encoding: 'utf8' });
  expect(migrated.status, migrated.stderr).toBe(0);
  db = createDb(url, 2);
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(10_000)));
  await db?.$disconnect();
  await sink?.close();
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const welcomes = () => sink.messages.filter((m) => m.parsed.subject?.startsWith('Welcome to Rapport'));

describe('an email-only worker with a rate limit', () => {
  it('journeys run on one worker, their emails go out through the other, at most EMAIL_RATE_PER_SECOND', async () => {
    const port = await freePort();
    const [server, journeys] = await Promise.all([
      startRole('server', { ...env, HTTP_PORT: String(port) }, { out: quiet }),
      startRole('worker', { ...env, WORKER_TASK_QUEUES: 'journeys' }, { out: quiet }),
    ]);
    procs.push(server, journeys);
    expect(journeys.ready.taskQueues).toEqual([env.TEMPORAL_TASK_QUEUE]);
    for (let i = 0; i < N; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/events`, {
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

    const email = await startRole('worker', { ...env, WORKER_TASK_QUEUES: 'email', EMAIL_RATE_PER_SECOND: String(RATE) }, { out: quiet });
    procs.push(email);
    expect(email.ready.taskQueues).toEqual([env.TEMPORAL_EMAIL_TASK_QUEUE]);
    expect(email.ready.emailRatePerSecond).toBe(RATE);
    await until('every welcome email', async () => welcomes().length === N, 90_000);
    const sent = await db.messageSend.findMany({ where: { templateKey: 'welcome', status: 'sent' }, select: { sentAt: true } });
    expect(sent).toHaveLength(N);
    const times = sent.map((s) => s.sentAt!.getTime()).sort((a, b) => a - b);
    // Temporal lets a first burst through (5 here: the worker's SMTP_POOL_SIZE of slots), then
    // paces the queue: the sends after the 6th come at about RATE a second (unlimited, all 12 go within ~0.3 s).
    const tail = times.slice(5);
    const tailRate = (tail.length - 1) / ((tail.at(-1)! - tail[0]!) / 1000);
    expect(tailRate).toBeLessThanOrEqual(RATE * 1.5);
  }, 180_000);
});
