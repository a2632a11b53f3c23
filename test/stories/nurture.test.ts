// Nurture, played through webhooks and the API over simulated days: the series
// follows the prospect's interest, buying intent hands them to their rep, and
// a purchase ends the series as a conversion.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { journeyWorkflowId } from '../../journeys/ids';
import { story, type Story } from '../support/story';

let s: Story;
beforeAll(async () => {
  s = await story('story_nurture');
});
afterAll(() => s?.close());

const mailTo = (email: string) => s.fx.sink.messages.filter((m) => m.envelopeTo.includes(email)).map((m) => m.parsed.subject);

describe('nurture', () => {
  it('follows interest, then hands a pricing-page visitor to their sales rep', async () => {
    const email = 'prospect@example.com';
    const created = await s.api('/v1/contacts', { email, firstName: 'Priya', ownerEmail: 'rep@example.com' });
    expect(created.status).toBe(201);
    const contactId = created.body.contact.id as string;
    // The website reports what she reads, then the guide download starts the series.
    for (const [i, category] of ['books', 'books', 'templates'].entries()) {
      await s.webhook('website', {
        id: `pv-${i}`,
        type: 'page_viewed',
        contact: { email },
        properties: { path: `/shop/${category}`, category },
        occurredAt: await s.now(),
      });
    }
    expect(
      (
        await s.webhook('website', {
          id: 'dl-1',
          type: 'guide_downloaded',
          contact: { email },
          properties: { guide: 'deliverability' },
          occurredAt: await s.now(),
        })
      ).status,
    ).toBe(202);

    await s.advance('1d');
    const ideas = await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Priya, ideas picked for you');
    expect(ideas.parsed.text).toContain('looking at our books');
    expect(ideas.parsed.text).toContain('Deliverability guide'); // recommended from the books she viewed

    await s.advance('3d');
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'How a team like yours doubled repeat orders');

    // Buying intent: a pricing-page visit.
    await s.webhook('website', {
      id: 'pv-pricing',
      type: 'page_viewed',
      contact: { email },
      properties: { path: '/pricing' },
      occurredAt: await s.now(),
    });
    const run = s.env.client.workflow.getHandle(journeyWorkflowId('nurture', contactId));
    expect(await run.result()).toBe('exited');
    const task = await s.fx.tdb.db.salesTask.findFirstOrThrow({ where: { contactId } });
    expect(task).toMatchObject({ owner: 'rep@example.com', reason: 'Buying intent: page_viewed /pricing' });
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes('rep@example.com') && m.parsed.subject === 'Follow up with Priya');

    // The series ended: no demo email, ever.
    await s.advance('14d');
    expect(mailTo(email)).not.toContain('Want a 20-minute walkthrough, Priya?');
    const timeline = await s.api(`/v1/contacts/${contactId}/timeline?limit=200`);
    const steps = timeline.body.entries.filter(
      (e: { kind: string; journey: string }) => e.kind === 'journey_step' && e.journey === 'nurture',
    );
    expect(steps.map((e: { step: string; outcome: string }) => `${e.step}:${e.outcome}`)).toEqual(
      expect.arrayContaining(['ideas:sent', 'story:sent', 'hand_to_sales:task_created', 'handed_over:exited', '(end):exited']),
    );
  });

  it('ends as a conversion when the prospect buys', async () => {
    const email = 'buyer@example.com';
    await s.webhook('webinar', {
      id: 'wb-1',
      type: 'webinar_attended',
      contact: { email, firstName: 'Bo' },
      properties: { webinar: 'journeys-101' },
      occurredAt: await s.now(),
    });
    const contactId = (await s.api(`/v1/contacts/${email}?by=email`)).body.contact.id as string;
    await s.advance('1d');
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && m.parsed.subject === 'Bo, ideas picked for you');
    await s.webhook('shop', {
      id: 'order-b1',
      type: 'purchase',
      contact: { email },
      properties: { amount: 49, orderId: 'b1', items: [{ sku: 'starter-kit' }] },
      occurredAt: await s.now(),
    });
    expect(await s.env.client.workflow.getHandle(journeyWorkflowId('nurture', contactId)).result()).toBe('converted');
    const run = await s.fx.tdb.db.journeyRun.findUniqueOrThrow({ where: { workflowId: journeyWorkflowId('nurture', contactId) } });
    expect(run.status).toBe('converted');
    expect(await s.fx.tdb.db.salesTask.count({ where: { contactId } })).toBe(0);
  });

  it('a click on the demo link is buying intent too', async () => {
    const email = 'clicker@example.com';
    await s.api('/v1/events', { id: 'su-c', type: 'signed_up', contact: { email, firstName: 'Cy' }, occurredAt: await s.now() });
    const contactId = (await s.api(`/v1/contacts/${email}?by=email`)).body.contact.id as string;
    await s.advance('9d'); // ideas, story, then the demo offer on day 8
    await vi.waitFor(() => expect(mailTo(email)).toContain('Want a 20-minute walkthrough, Cy?'), { timeout: 10_000 });
    await s.api('/v1/events', {
      id: 'click-demo',
      type: 'email_clicked',
      contact: { id: contactId },
      properties: { url: 'https://rapport.example/demo' },
      occurredAt: await s.now(),
    });
    expect(await s.env.client.workflow.getHandle(journeyWorkflowId('nurture', contactId)).result()).toBe('exited');
    const task = await s.fx.tdb.db.salesTask.findFirstOrThrow({ where: { contactId } });
    expect(task.owner).toBe('sales@rapport.example'); // no owner: the fallback
    expect(task.reason).toContain('https://rapport.example/demo');
  });
});
