// A journey send whose worker vanishes mid-attempt is noticed within the send's
// heartbeat timeout (workflows/context.ts EMAIL_ACTIVITY, kept alive by
// worker/liveness-heartbeat.ts), not after its start-to-close timeout, and the
// retry says so in a log line and a metric. Processes, as in production
// (cli/rapport.ts), on the shared Temporal and PostgreSQL.
//
// Worker A, the only worker at first, takes two sends and is held in each:
//  - one has handed its message to the SMTP server, which holds its answer (and
//    keeps the connection alive meanwhile): the send is claimed (`sending`), so
//    its retry must not send it again (at most once) and records it
//    `indeterminate`;
//  - one waits on a lock the test holds on `message_sends` before it could
//    record, let alone claim, its send: its retry sends it.
// Then worker B starts; past the heartbeat timeout neither send has been
// retried (A is alive and heartbeats); A is SIGKILLed, and the time until B's
// retries act is measured against the timeouts.
import type { AddressInfo } from 'node:net';
import { msToNumber } from '@temporalio/common/lib/time';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleProcess } from '../../stack/role-process';
import { EMAIL_ACTIVITY } from '../../workflows/context';
import { TEST_API_KEY } from '../support/env';
import { startRoleCluster, until, type RoleCluster } from '../support/role-cluster';

const HEARTBEAT_MS = msToNumber(EMAIL_ACTIVITY.heartbeatTimeout);
const FIRST_RETRY_MS = msToNumber(EMAIL_ACTIVITY.retry.initialInterval);
const START_TO_CLOSE_MS = msToNumber(EMAIL_ACTIVITY.startToCloseTimeout);
// Noticed within the heartbeat timeout of the last heartbeat, retried after the
// first retry interval; the margin covers the poll and the attempt's own work.
const BOUND_MS = HEARTBEAT_MS + FIRST_RETRY_MS + 10_000;

/**
 * An SMTP server that accepts every message except those to `held` recipients:
 * their answer never comes, while continuation lines ("250-…") every few seconds
 * keep the client's socket timeout (30 s) from ending the wait first.
 */
interface HoldingSmtp {
  url: string;
  /** Recipient → when its message was held (ms). */
  held: Map<string, number>;
  /** Recipient → arrival times (ms) of the messages accepted for it. */
  delivered: Map<string, number[]>;
  close(): Promise<void>;
}

async function startHoldingSmtp(hold: (address: string) => boolean): Promise<HoldingSmtp> {
  const state: HoldingSmtp = { url: '', held: new Map(), delivered: new Map(), close: async () => undefined };
  const keepAlive = new Set<NodeJS.Timeout>();
  const server: SMTPServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.some(hold)) {
          for (const a of to) state.held.set(a, Date.now());
          const socket = [...server.connections].find((c) => c.session === session)?._socket;
          const timer = setInterval(() => {
            if (socket?.writable) socket.write('250-still working on it\r\n');
          }, 5000);
          keepAlive.add(timer);
          socket?.once('close', () => {
            clearInterval(timer);
            keepAlive.delete(timer);
          });
          return; // no final answer: the client waits
        }
        for (const a of to) state.delivered.set(a, [...(state.delivered.get(a) ?? []), Date.now()]);
        cb(null, 'queued');
      });
    },
  });
  // The killed worker's connection resets: not a fault of the test.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?tls=off`;
  state.close = () => {
    for (const t of keepAlive) clearInterval(t);
    return new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

interface LogLine {
  at: number;
  msg?: string;
  [k: string]: unknown;
}

/** A worker's log lines as they arrive, with the time each arrived. */
function lineCollector(): { lines: LogLine[]; out: (line: string) => void } {
  const lines: LogLine[] = [];
  return {
    lines,
    out(line) {
      try {
        lines.push({ ...(JSON.parse(line) as Record<string, unknown>), at: Date.now() });
      } catch {
        // not JSON: not ours
      }
    },
  };
}

const IN_DB = 'held-before-claim@example.com';
const IN_SMTP = 'held-in-smtp@example.com';

let cluster: RoleCluster;
let smtp: HoldingSmtp;
let lock: pg.Client | null = null;

beforeAll(async () => {
  smtp = await startHoldingSmtp((a) => a === IN_SMTP);
  cluster = await startRoleCluster('it_lost_send', { LOG_LEVEL: 'info', FREQUENCY_CAP_PER_7D: '0', SMTP_URL: smtp.url });
}, 120_000);

afterAll(async () => {
  await lock?.end().catch(() => undefined);
  await cluster?.stop();
  await smtp?.close();
});

describe('a send whose worker vanished mid-attempt', () => {
  it('is retried by another worker within the heartbeat timeout, not the start-to-close timeout, and the retry is logged and counted', async () => {
    const { db } = cluster;
    const server = await cluster.server();
    const call = async (path: string, body: unknown) => {
      const r = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    };
    const a = lineCollector();
    const workerA: RoleProcess = await cluster.worker({}, { out: a.out });

    const ids: Record<string, string> = {};
    for (const email of [IN_DB, IN_SMTP]) {
      const r = await call('/v1/contacts', { email, firstName: 'Lost' });
      expect(r.status).toBe(201);
      ids[email] = r.body.contact.id as string;
    }
    const workflowIds: Record<string, string> = {};
    const enrolledAt: Record<string, number> = {};
    const enrol = async (email: string) => {
      enrolledAt[email] = Date.now();
      const r = await call('/v1/journeys/welcome/enrol', { contact: { email } });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      workflowIds[email] = r.body.workflowId as string;
    };

    // One send reaches SMTP and is held there, claimed.
    await enrol(IN_SMTP);
    await until('the SMTP server to hold a message', async () => smtp.held.has(IN_SMTP));
    // The other waits on the table its send is recorded in (no transaction of its own times out meanwhile).
    lock = new pg.Client({ connectionString: cluster.env.DATABASE_URL });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE message_sends IN ACCESS EXCLUSIVE MODE');
    const lockPid = (await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await enrol(IN_DB);
    await until('a send to wait on the lock', async () => {
      const rows = await db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE ${lockPid}::int = ANY(pg_blocking_pids(pid)) AND query ILIKE '%message_sends%'`;
      return (rows[0]?.n ?? 0) > 0;
    });
    const bothHeldAt = Date.now();

    // Another worker, ready to take the retries.
    const b = lineCollector();
    const workerB = await cluster.worker({ WORKER_METRICS_PORT: '0' }, { out: b.out });
    // While A lives, its heartbeats keep both sends its own however long they
    // take: held past the heartbeat timeout and the first retry interval, neither
    // has been retried (the wait is the timeout itself, not a guess).
    await new Promise((r) => setTimeout(r, Math.max(0, bothHeldAt + HEARTBEAT_MS + FIRST_RETRY_MS + 2_000 - Date.now())));
    expect([...a.lines, ...b.lines].filter((l) => l.msg?.startsWith('activity retried'))).toEqual([]);
    expect((await lock.query<{ status: string }>('SELECT status FROM message_sends')).rows).toEqual([{ status: 'sending' }]);

    // Then A vanishes.
    process.kill(workerA.pid, 'SIGKILL');
    await workerA.exited;
    const killedAt = Date.now();
    await lock.query('COMMIT'); // A's read of the send dies with A: nothing was recorded
    await lock.end();
    lock = null;

    // The send held before its claim: B's retry delivers it.
    await until('the retry to deliver the send held before its claim', async () => smtp.delivered.has(IN_DB), START_TO_CLOSE_MS);
    const deliveredAfter = smtp.delivered.get(IN_DB)![0]! - killedAt;
    // The send held in SMTP: B's retry finds it claimed and does not send it again.
    const sendIds = Object.fromEntries(
      (await db.messageSend.findMany({ where: { templateKey: 'welcome' }, select: { id: true, contactId: true } })).map((m) => [
        m.contactId,
        m.id,
      ]),
    );
    const interruptedLine = () =>
      b.lines.find((l) => l.msg === 'send interrupted earlier; not resending' && l.sendId === sendIds[ids[IN_SMTP]!]);
    await until('the retry of the send held in SMTP', async () => interruptedLine() !== undefined, START_TO_CLOSE_MS);
    const noticedAfter = interruptedLine()!.at - killedAt;

    // Within the heartbeat timeout (plus the first retry interval and a margin) of
    // the kill, and before a retry after the start-to-close timeout could have
    // come: that one starts no sooner than the enrolment plus the timeout and the
    // first retry interval.
    for (const [email, what, ms] of [
      [IN_DB, 'delivered', deliveredAfter],
      [IN_SMTP, 'noticed', noticedAfter],
    ] as const) {
      expect(ms, `${what} ${ms} ms after the kill`).toBeLessThan(BOUND_MS);
      expect(killedAt + ms, `${what} after the start-to-close timeout`).toBeLessThan(
        enrolledAt[email]! + START_TO_CLOSE_MS + FIRST_RETRY_MS,
      );
    }

    // B names each retried send: which activity, which run, which attempt.
    for (const email of [IN_DB, IN_SMTP]) {
      const retried = b.lines.find((l) => l.msg?.startsWith('activity retried') && l.workflowId === workflowIds[email]);
      expect(retried, `a retry line for ${email}`).toMatchObject({ activity: 'sendEmail', attempt: 2, level: 40 });
    }
    expect(a.lines.some((l) => l.msg?.startsWith('activity retried'))).toBe(false);
    const metrics = await (await fetch(`${String(workerB.ready.metricsUrl)}`)).text();
    expect(metrics).toMatch(/^rapport_activity_retries_total\{activity="sendEmail"\} 2$/m);

    // Exactly once where it could be known, never twice where it could not.
    expect(smtp.delivered.get(IN_DB)).toHaveLength(1);
    expect(smtp.delivered.has(IN_SMTP)).toBe(false);
    const after = await db.messageSend.findMany({
      where: { templateKey: 'welcome' },
      select: { contactId: true, status: true, attempts: true },
    });
    expect(Object.fromEntries(after.map((m) => [m.contactId, [m.status, m.attempts]]))).toEqual({
      [ids[IN_DB]!]: ['sent', 1],
      [ids[IN_SMTP]!]: ['indeterminate', 1],
    });
    // And both runs go on to their next step on B.
    await until(
      'both welcome runs to wait for their next email',
      async () => (await db.journeyRun.count({ where: { journeyKey: 'welcome', currentStep: 'wait_3_days' } })) === 2,
    );
  }, 240_000);
});
