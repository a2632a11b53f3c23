// The production topology on one machine: `migrate`, then two workers and two
// servers as separate processes (cli/rapport.ts) on one Temporal server and one
// PostgreSQL. Sign-ups are spread over both servers (both dispatchers run);
// one worker and one server are killed with SIGKILL in the middle of the
// sends. Nobody is mailed twice, every welcome goes out (or is recorded
// indeterminate when the kill cut its SMTP conversation), every run is where it
// should be, and no event waits longer than the lease the README documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY } from '../support/env';
import { startRoleCluster, type RoleCluster } from '../support/role-cluster';

const N = 40;
const LEASE_SECONDS = 5;
let cluster: RoleCluster;

beforeAll(async () => {
  cluster = await startRoleCluster('it_topology', {
    DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
    DISPATCH_MAX_BACKOFF_SECONDS: '1',
    LOG_LEVEL: 'info',
    FREQUENCY_CAP_PER_7D: '0',
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const welcomes = () => cluster.sink.messages.filter((m) => m.parsed.subject?.startsWith('Welcome to Rapport'));

describe('two workers and two servers, one of each killed mid-send', () => {
  it('mails nobody twice, every sign-up once unless the kill cut its SMTP conversation, and leaves every run where it should be', async () => {
    const { db } = cluster;
    const [s1, s2, w1] = await Promise.all([cluster.server(), cluster.server(), cluster.worker()]);
    await cluster.worker();
    // A sender as the README asks: a 429 is retried after its Retry-After.
    const post = async (s: { url: string }, i: number): Promise<number> => {
      for (;;) {
        const r = await fetch(`${s.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: `topo-${i}`, type: 'signed_up', contact: { email: `topo${i}@example.com`, firstName: 'Topo' } }),
        });
        await r.arrayBuffer();
        if (r.status !== 429) return r.status;
        await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after') ?? 1) * 1000));
      }
    };
    const statuses = await Promise.all(Array.from({ length: N }, (_, i) => post(i % 2 ? s1 : s2, i)));
    expect(statuses).toEqual(Array(N).fill(202));

    // Kill one of each as soon as the sends are under way.
    const deadline = Date.now() + 60_000;
    while (welcomes().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(welcomes().length).toBeGreaterThan(0);
    process.kill(w1.pid, 'SIGKILL');
    process.kill(s2.pid, 'SIGKILL');
    const killedAt = Date.now();
    await Promise.all([w1.exited, s2.exited]);

    // The survivors finish the work, the dead server's claimed events within its
    // lease and the dead worker's sends within their heartbeat timeout. A send
    // whose SMTP conversation the kill cut is recorded `indeterminate` and not
    // sent again (at most once: README "Exactly one email per send step").
    const settled = () => db.messageSend.groupBy({ by: ['status'], where: { templateKey: 'welcome' }, _count: { _all: true } });
    let byStatus: Record<string, number> = {};
    while (Date.now() < killedAt + 90_000) {
      byStatus = Object.fromEntries((await settled()).map((g) => [g.status, g._count._all]));
      if ((byStatus.sent ?? 0) + (byStatus.indeterminate ?? 0) === N) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((byStatus.sent ?? 0) + (byStatus.indeterminate ?? 0)).toBe(N);
    expect(byStatus.indeterminate ?? 0).toBeLessThanOrEqual(5); // at most the sends in flight on the killed worker (SMTP_POOL_SIZE)
    const recipients = welcomes().flatMap((m) => m.envelopeTo);
    expect(recipients.length).toBe(new Set(recipients).size); // nobody twice
    expect(recipients.length).toBeGreaterThanOrEqual(byStatus.sent ?? 0);
    expect(recipients.length).toBeGreaterThanOrEqual(N - 5);

    const undispatched = await db.event.count({ where: { dispatchedAt: null, type: 'signed_up' } });
    expect(undispatched).toBe(0);
    const late = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM events
      WHERE type = 'signed_up' AND dispatched_at > ${new Date(killedAt)}::timestamptz + make_interval(secs => ${LEASE_SECONDS * 3})`;
    expect(Number(late[0]!.n)).toBe(0); // taken over within the lease (plus a renewal period and some slack)

    // Each contact: a welcome run waiting 3 days and a nurture run settling in.
    let waiting = 0;
    while (Date.now() < killedAt + 90_000) {
      waiting = await db.journeyRun.count({ where: { status: 'running', currentStep: { in: ['wait_3_days', 'settle_in'] } } });
      if (waiting === 2 * N) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(waiting).toBe(2 * N);
  }, 240_000);
});
