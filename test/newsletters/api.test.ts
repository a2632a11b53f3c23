// Segments and newsletters through the HTTP API on the real dev server,
// database and SMTP sink: a marketer saves a segment, looks at its count and a
// sample, sends a newsletter to it, watches progress, and a click resets the
// newsletter counter; a newsletter sent at a time waits, and can be cancelled
// before it starts.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  // One render thread: newsletters here are rendered off the activity's thread, as in production.
  s = await startTestStack('it_newsletters', { serverOverrides: { RENDER_THREADS: '1' } });
  await Promise.all([s.startServer(), s.startWorker()]);
});
afterAll(() => s?.close());

const bigSpenders = { name: 'Big spenders', condition: { event: 'purchase', within: '90d', sum: { property: 'amount', gt: 500 } } };

describe('segments API', () => {
  it('validates, saves, counts and samples a segment', async () => {
    const bad = await s.api('/v1/segments/big', {
      method: 'PUT',
      body: { name: 'x', condition: { field: 'steps.a.status', op: 'eq', value: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('condition.field');
    expect((await s.api('/v1/segments/Big', { method: 'PUT', body: bigSpenders })).status).toBe(400);

    const created = await s.api('/v1/segments/big', { body: bigSpenders });
    expect(created.status).toBe(201);
    expect(created.body.segment).toMatchObject({ key: 'big', name: 'Big spenders', condition: bigSpenders.condition });
    expect((await s.api('/v1/segments/big', { body: bigSpenders })).status).toBe(409);
    expect((await s.api('/v1/segments/big', { method: 'PUT', body: { ...bigSpenders, description: 'over 500 in 90 days' } })).status).toBe(
      200,
    );

    for (const [email, amounts] of [
      ['rich@example.com', [300, 250]],
      ['poor@example.com', [20]],
      ['richer@example.com', [1000]],
    ] as const) {
      let n = 0;
      for (const amount of amounts) {
        expect(
          (await s.api('/v1/events', { body: { id: `${email}-${++n}`, type: 'purchase', contact: { email }, properties: { amount } } }))
            .status,
        ).toBe(202);
      }
    }
    expect((await s.api('/v1/segments/big/count')).body).toEqual({ key: 'big', count: 2 });
    const sample = await s.api('/v1/segments/big/sample?limit=1');
    expect(sample.body.count).toBe(2);
    expect(sample.body.contacts).toHaveLength(1);
    expect(['rich@example.com', 'richer@example.com']).toContain(sample.body.contacts[0].email);
    expect((await s.api('/v1/segments/big/sample?limit=0')).status).toBe(400);
    expect((await s.api('/v1/segments')).body.segments.map((x: { key: string }) => x.key)).toEqual(['big']);
    expect((await s.api('/v1/segments/nope/count')).status).toBe(404);
  });
});

describe('newsletters API', () => {
  it('sends a newsletter to the subscribed members of a segment, with progress, once each', async () => {
    const readers = ['ann', 'ben', 'cat', 'dan', 'eva'].map((n) => `${n}@readers.example`);
    for (const email of readers) {
      expect((await s.api('/v1/contacts', { body: { email, firstName: email.split('@')[0], tags: ['reader'] } })).status).toBeLessThan(300);
    }
    await s.tdb.db.contact.updateMany({ where: { email: { in: readers } }, data: { subscriptions: { newsletter: 'subscribed' } } });
    await s.tdb.db.contact.update({ where: { email: 'eva@readers.example' }, data: { subscriptions: { newsletter: 'unsubscribed' } } });
    expect(
      (
        await s.api('/v1/segments/readers', {
          method: 'PUT',
          body: { name: 'Readers', condition: { field: 'tags', op: 'contains', value: 'reader' } },
        })
      ).status,
    ).toBe(201);

    const refused = await s.api('/v1/newsletters', { body: { name: 'x', template: 'welcome', segment: 'readers' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].path).toBe('template');

    const badDomain = await s.api('/v1/newsletters', {
      body: { name: 'x', template: 'newsletter', segment: 'readers', domainRatePerMinute: { 'Gmail.com': 0 } },
    });
    expect(badDomain.status).toBe(400);
    expect(badDomain.body.error.details[0].path).toMatch(/^domainRatePerMinute/);

    const r = await s.api('/v1/newsletters', {
      body: {
        name: 'November issue',
        template: 'newsletter',
        segment: 'readers',
        ratePerMinute: 6000,
        domainRatePerMinute: { 'readers.example': 600 },
      },
    });
    expect(r.status).toBe(202);
    const id = r.body.newsletter.id;
    expect(r.body.newsletter).toMatchObject({
      template: 'newsletter',
      segment: 'readers',
      reengagementTemplate: 'newsletter-reengage',
      workflowId: `broadcast/${id}`,
      domainRatePerMinute: { 'readers.example': 600 },
    });

    const done = await vi.waitFor(
      async () => {
        const p = await s.api(`/v1/newsletters/${id}`);
        expect(p.body.newsletter.status).toBe('completed');
        return p.body.newsletter;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(done.progress).toEqual({ audience: 4, sent: 4, failed: 0, suppressed: 0, skipped: 0, remaining: 0 });
    for (const email of readers.slice(0, 4)) {
      const m = await s.sink.waitFor((x) => x.envelopeTo.includes(email));
      expect(m.parsed.subject).toMatch(/what is new at Rapport$/);
      expect(m.parsed.html).toContain('http://rapport.test/t/c/');
      expect(m.raw.toString('latin1')).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    }
    expect(s.sink.messages.filter((m) => m.envelopeTo.includes('eva@readers.example'))).toHaveLength(0);
    expect(s.sink.messages.filter((m) => m.envelopeTo[0]!.endsWith('@readers.example'))).toHaveLength(4);
    expect((await s.api(`/v1/newsletters/${id}/pause`, { body: {} })).status).toBe(409);
    expect((await s.api('/v1/newsletters')).body.newsletters.map((n: { id: string }) => n.id)).toEqual([id]);

    // Counted once each; a tracked click resets the count.
    const ann = await s.tdb.db.contact.findUniqueOrThrow({ where: { email: 'ann@readers.example' } });
    expect(ann.newslettersSinceLastClick).toBe(1);
    const mail = await s.sink.waitFor((x) => x.envelopeTo.includes('ann@readers.example'));
    const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(String(mail.parsed.html))![1]!;
    const click = await fetch(link.replace(/^https?:\/\/[^/]+/, s.server!.url), { redirect: 'manual' });
    expect(click.status).toBe(302);
    await vi.waitFor(
      async () => {
        expect((await s.tdb.db.contact.findUniqueOrThrow({ where: { id: ann.id } })).newslettersSinceLastClick).toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('pauses, reports live progress, resumes and cancels', async () => {
    const many = Array.from({ length: 6 }, (_, i) => `slow${i}@readers.example`);
    for (const email of many)
      await s.tdb.db.contact.create({ data: { email, tags: ['slow'], subscriptions: { newsletter: 'subscribed' } } });
    await s.api('/v1/segments/slow', {
      method: 'PUT',
      body: { name: 'Slow', condition: { field: 'tags', op: 'contains', value: 'slow' } },
    });
    // Six a minute: batches of one, ten seconds apart.
    const r = await s.api('/v1/newsletters', { body: { name: 'Slow issue', template: 'newsletter', segment: 'slow', ratePerMinute: 6 } });
    const id = r.body.newsletter.id;
    await vi.waitFor(
      async () => {
        const p = (await s.api(`/v1/newsletters/${id}`)).body.newsletter;
        expect(p.live).toBe(true);
        expect(p.progress.sent).toBeGreaterThanOrEqual(1);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect((await s.api(`/v1/newsletters/${id}/pause`, { body: {} })).status).toBe(202);
    const paused = await vi.waitFor(
      async () => {
        const p = (await s.api(`/v1/newsletters/${id}`)).body.newsletter;
        expect(p.status).toBe('paused');
        return p;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(paused.progress.remaining).toBeGreaterThan(0);
    expect((await s.api(`/v1/newsletters/${id}/resume`, { body: {} })).status).toBe(202);
    expect((await s.api(`/v1/newsletters/${id}/cancel`, { body: {} })).status).toBe(202);
    const end = await vi.waitFor(
      async () => {
        const p = (await s.api(`/v1/newsletters/${id}`)).body.newsletter;
        expect(p.status).toBe('cancelled');
        return p;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(end.progress.sent + end.progress.skipped).toBe(6);
    expect(s.sink.messages.filter((m) => m.envelopeTo[0]!.startsWith('slow'))).toHaveLength(end.progress.sent);
  });
});

describe('newsletters sent at a time', () => {
  const early = ['fay', 'gus', 'hal'].map((n) => `${n}@early.example`);
  const sentTo = () => s.sink.messages.filter((m) => m.envelopeTo[0]!.endsWith('@early.example')).length;
  const get = async (id: string) => (await s.api(`/v1/newsletters/${id}`)).body.newsletter;

  beforeAll(async () => {
    for (const email of early)
      await s.tdb.db.contact.create({ data: { email, tags: ['early'], subscriptions: { newsletter: 'subscribed' } } });
    await s.api('/v1/segments/early', {
      method: 'PUT',
      body: { name: 'Early', condition: { field: 'tags', op: 'contains', value: 'early' } },
    });
  });

  it('refuses a sendAt that is not a date-time, in the past or more than a year ahead, naming it', async () => {
    const day = 24 * 60 * 60 * 1000;
    for (const sendAt of [
      'tomorrow',
      '2026-12-24',
      new Date(Date.now() - 60_000).toISOString(),
      new Date(Date.now() + 400 * day).toISOString(),
      5,
    ]) {
      const r = await s.api('/v1/newsletters', { body: { name: 'x', template: 'newsletter', segment: 'early', sendAt } });
      expect(r.status, String(sendAt)).toBe(400);
      expect(r.body.error.details[0].path, String(sendAt)).toBe('sendAt');
    }
    expect(await s.tdb.db.broadcast.count({ where: { segmentKey: 'early' } })).toBe(0);
  });

  it('waits as scheduled until its time, then sends', async () => {
    const sendAt = new Date(Date.now() + 3000);
    const r = await s.api('/v1/newsletters', {
      body: { name: 'Early bird', template: 'newsletter', segment: 'early', sendAt: sendAt.toISOString() },
    });
    expect(r.status).toBe(202);
    const id = r.body.newsletter.id as string;
    expect(r.body.newsletter).toMatchObject({ status: 'scheduled', sendAt: sendAt.toISOString(), progress: { audience: null, sent: 0 } });
    expect((await get(id)).status).toBe('scheduled');
    // Not paused before its start: only cancelled.
    const pause = await s.api(`/v1/newsletters/${id}/pause`, { body: {} });
    expect(pause.status).toBe(409);
    expect(pause.body.error.code).toBe('newsletter_scheduled');

    // Until shortly before its time: still scheduled, no audience taken, nothing sent.
    while (Date.now() < sendAt.getTime() - 300) {
      const n = await get(id);
      expect(n.status).toBe('scheduled');
      expect(n.progress.audience).toBeNull();
      expect(sentTo()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const done = await vi.waitFor(
      async () => {
        const n = await get(id);
        expect(n.status).toBe('completed');
        return n;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(done.progress).toMatchObject({ audience: 3, sent: 3, remaining: 0 });
    expect(sentTo()).toBe(3);
    // The audience was taken at its time (the workflow's first task), not when it was scheduled.
    const row = await s.tdb.db.broadcast.findUniqueOrThrow({ where: { id } });
    expect(row.snapshotAt!.getTime()).toBeGreaterThanOrEqual(sendAt.getTime() - 100);
  });

  it('cancels before its start: cancelled at once, its run terminated, nothing sent', async () => {
    const before = sentTo();
    const sendAt = new Date(Date.now() + 60 * 60 * 1000);
    const r = await s.api('/v1/newsletters', {
      body: { name: 'Too early', template: 'newsletter', segment: 'early', sendAt: sendAt.toISOString() },
    });
    expect(r.status).toBe(202);
    const id = r.body.newsletter.id as string;
    expect((await s.api('/v1/newsletters')).body.newsletters[0]).toMatchObject({ id, status: 'scheduled', sendAt: sendAt.toISOString() });
    const cancel = await s.api(`/v1/newsletters/${id}/cancel`, { body: {} });
    expect(cancel.status).toBe(202);
    const n = await get(id);
    expect(n.status).toBe('cancelled');
    expect(n.finishedAt).not.toBeNull();
    const connection = await Connection.connect({ address: s.env.server.TEMPORAL_ADDRESS });
    try {
      const described = await new Client({ connection }).workflow.getHandle(`broadcast/${id}`).describe();
      expect(described.status.name).toBe('TERMINATED');
    } finally {
      await connection.close();
    }
    expect(await s.tdb.db.broadcastRecipient.count({ where: { broadcastId: id } })).toBe(0);
    expect(sentTo()).toBe(before);
    expect((await s.api(`/v1/newsletters/${id}/cancel`, { body: {} })).status).toBe(409);
  });
});
