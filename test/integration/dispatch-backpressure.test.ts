// Backpressure from the workers (events/backlog-gate.ts): with nobody polling
// the journeys task queue, the dispatcher starts runs until Temporal's backlog
// of workflow tasks passes DISPATCH_MAX_TASK_BACKLOG, then holds the other
// events in the outbox; once a worker runs, every event is delivered and every
// sign-up mailed. Real server and worker processes on the run's Temporal server.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { temporalBacklogReader } from '../../events/backlog-gate';
import { TEST_API_KEY } from '../support/env';
import { startRoleCluster, until, type RoleCluster } from '../support/role-cluster';

const FIRST = 10;
const N = 30;
const LIMIT = 4;
let cluster: RoleCluster;
let connection: Connection | undefined;

beforeAll(async () => {
  cluster = await startRoleCluster('it_backpressure', {
    DISPATCH_MAX_TASK_BACKLOG: String(LIMIT),
    FREQUENCY_CAP_PER_7D: '0',
    LOG_LEVEL: 'info', // the roles' ready lines
  });
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await cluster?.stop();
});

async function metric(url: string, name: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('dispatcher backpressure', () => {
  it('holds events in the outbox while the workers are behind, and delivers them all once a worker runs', async () => {
    const { db } = cluster;
    const server = await cluster.server();
    const signUp = async (i: number) => {
      const r = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `bp-${i}`, type: 'signed_up', contact: { email: `bp${i}@example.com` } }),
      });
      expect(r.status).toBe(202);
    };
    const dispatched = async () => {
      const [row] = await db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM events WHERE type = 'signed_up' AND dispatched_at IS NOT NULL`;
      return Number(row!.n);
    };

    // No worker: the first sign-ups' runs wait in Temporal's task queue until the dispatcher reads a backlog over the limit.
    for (let i = 0; i < FIRST; i++) await signUp(i);
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const backlog = temporalBacklogReader(new Client({ connection }), 'default', cluster.env.TEMPORAL_TASK_QUEUE!);
    await until('a backlog over the limit', async () => (await backlog()) > LIMIT, 60_000);
    expect(await dispatched()).toBe(FIRST);
    // An open gate goes on its last reading and refreshes it in the background: one
    // more sign-up passes on the stale reading and has the server read the backlog.
    await signUp(FIRST);
    await until('the server to read the backlog', async () => (await metric(server.url, 'rapport_temporal_workflow_task_backlog')) > LIMIT);
    await until('the probe delivered', async () => (await dispatched()) === FIRST + 1);
    const before = FIRST + 1;
    // The next sign-ups stay in the outbox: their deliveries wait for the workers.
    for (let i = FIRST + 1; i < N; i++) await signUp(i);
    await until(
      'deliveries held for the backlog',
      async () => (await metric(server.url, 'rapport_dispatch_backlog_wait_seconds_total')) > 2,
    );
    expect(await dispatched()).toBe(before);
    expect(await metric(server.url, 'rapport_temporal_workflow_task_backlog')).toBeGreaterThan(LIMIT);

    await cluster.worker();
    await until('every event delivered', async () => (await dispatched()) === N, 90_000);
    await until(
      'every sign-up welcomed',
      async () => cluster.sink.messages.filter((m) => m.parsed.subject?.startsWith('Welcome to Rapport')).length === N,
      90_000,
    );
  }, 240_000);
});
