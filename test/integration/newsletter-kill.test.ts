// A newsletter to a few hundred readers through the real stack (server, a
// worker as its own process, Temporal, PostgreSQL, an SMTP sink), with the
// worker killed by SIGKILL in the middle of the sends and another started.
// Nobody is mailed twice; the broadcast completes; every reader is mailed once
// or, if the kill cut their send short, recorded `indeterminate` and never
// resent (at most once: README "Exactly one email per send step").
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRole, type RoleProcess } from '../../stack/role-process';
import { startTestStack, type TestStack } from '../support/stack';

const READERS = 300;
const SMTP_CONCURRENCY = 8; // activities/broadcast-chunk.ts DEFAULT_CONCURRENCY: the sends in flight at once
let s: TestStack;
const workers: RoleProcess[] = [];

beforeAll(async () => {
  s = await startTestStack('it_nl_kill', { serverOverrides: { FREQUENCY_CAP_PER_7D: '0' } });
  await s.startServer();
}, 120_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop(10_000)));
  await s?.close();
});

async function worker(): Promise<RoleProcess> {
  // LOG_LEVEL info: the role is ready when it logs so.
  const env = { ...(process.env as Record<string, string>), ...s.env.raw, LOG_LEVEL: 'info' };
  const w = await startRole('worker', env, { out: () => undefined });
  workers.push(w);
  return w;
}

const newsletters = () => s.sink.messages.filter((m) => m.envelopeTo.some((to) => to.endsWith('@readers.example')));

describe('a worker killed in the middle of a newsletter', () => {
  it('mails nobody twice, and the broadcast completes on the next worker', async () => {
    await s.tdb.db.contact.createMany({
      data: Array.from({ length: READERS }, (_, i) => ({
        email: `r${i}@readers.example`,
        firstName: `R${i}`,
        tags: ['reader'],
        subscriptions: { newsletter: 'subscribed' },
      })),
    });
    const segment = await s.api('/v1/segments/readers', {
      method: 'PUT',
      body: { name: 'Readers', condition: { field: 'tags', op: 'contains', value: 'reader' } },
    });
    expect(segment.status).toBe(201);
    const first = await worker();
    const created = await s.api('/v1/newsletters', {
      body: { name: 'Kill test', template: 'newsletter', segment: 'readers', ratePerMinute: 3000 },
    });
    expect(created.status).toBe(202);
    const id: string = created.body.newsletter.id;

    // Kill it once the sends are well under way, with most of the audience still to go.
    await vi.waitFor(() => expect(newsletters().length).toBeGreaterThanOrEqual(30), { timeout: 90_000, interval: 20 });
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const mailedBeforeKill = newsletters().length;
    expect(mailedBeforeKill).toBeLessThan(READERS);
    await worker();

    // The killed chunk's recipients stay claimed until their lease ends (CLAIM_LEASE_MS, 2 minutes
    // after the dead attempt last renewed it). Rather than wait that long, the lease is moved into
    // the past: what the retry then does is the point.
    await s.tdb.db.$executeRaw`
      UPDATE broadcast_recipients SET not_before = now() - interval '1 second'
      WHERE broadcast_id = ${id}::uuid AND status = 'pending' AND not_before > now()`;

    // The dead attempt is noticed after the batch's heartbeat timeout (1 minute), then retried here.
    const done = await vi.waitFor(
      async () => {
        const r = await s.api(`/v1/newsletters/${id}`);
        expect(r.body.newsletter.status).toBe('completed');
        return r.body.newsletter;
      },
      { timeout: 150_000, interval: 500 },
    );

    const recipients = newsletters().flatMap((m) => m.envelopeTo);
    expect(recipients.length).toBe(new Set(recipients).size); // nobody twice
    expect(recipients.length).toBeGreaterThan(mailedBeforeKill); // the new worker sent the rest
    const rows = await s.tdb.db.broadcastRecipient.findMany({
      where: { broadcastId: id },
      include: { contact: { select: { email: true } } },
    });
    expect(rows).toHaveLength(READERS);
    const mailed = new Set(recipients);
    for (const row of rows) {
      if (row.status === 'sent') expect(mailed.has(row.contact.email), row.contact.email).toBe(true);
      else {
        // Its SMTP conversation may have happened when the worker died: recorded, never resent.
        expect(row.status, row.contact.email).toBe('failed');
        expect(row.error).toMatch(/^indeterminate/);
      }
    }
    // Not mailed at all: at most the sends in flight or about to start when it died (17 seen with a
    // concurrency of 8: a wave sending and the next one taken from the queue).
    expect(rows.filter((r) => !mailed.has(r.contact.email)).length).toBeLessThanOrEqual(3 * SMTP_CONCURRENCY);
    expect(done.progress).toMatchObject({ audience: READERS, remaining: 0 });
    expect(done.progress.sent + done.progress.failed).toBe(READERS);
  }, 300_000);
});
