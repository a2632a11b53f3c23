// Re-engagement after the fifth unclicked newsletter, played through the API,
// email links and newsletters over simulated weeks: a never-clicker gets the
// "still interested?" variant as their fifth newsletter, then a last chance,
// then is sunset from the newsletter; a reader who clicks is won back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyWorkflowId } from '../../journeys/ids';
import { broadcastWorkflowId } from '../../workflows/broadcast';
import { story, type Story } from '../support/story';

let s: Story;
beforeAll(async () => {
  s = await story('story_reengage');
});
afterAll(() => s?.close());

const linkPath = (html: string, pattern: RegExp) => {
  const m = pattern.exec(html);
  if (!m) throw new Error(`no link matching ${pattern}`);
  return new URL(m[0].replace(/&amp;/g, '&')).pathname;
};

async function subscribe(email: string, firstName: string): Promise<string> {
  const r = await s.api('/v1/newsletter/subscriptions', { email, firstName });
  expect(r.status).toBe(202);
  const mail = await s.fx.sink.waitFor((m) => m.envelopeTo.includes(email) && String(m.parsed.html).includes('/confirm/'));
  expect((await s.visit(linkPath(String(mail.parsed.html), /http:\/\/rapport\.test\/confirm\/[\w.-]+/), 'POST')).status).toBe(200);
  return r.body.contactId as string;
}

async function sendNewsletter(n: number): Promise<void> {
  const r = await s.api('/v1/newsletters', { name: `Issue ${n}`, template: 'newsletter', segment: 'readers', ratePerMinute: 600 });
  expect(r.status).toBe(202);
  await s.env.client.workflow.getHandle(broadcastWorkflowId(r.body.newsletter.id)).result();
  await s.dispatch(); // newsletter_sent events reach the journeys
}

const inbox = (email: string) => s.fx.sink.messages.filter((m) => m.envelopeTo.includes(email));

describe('re-engagement after the fifth unclicked newsletter', () => {
  it('sends the variant, then a last chance, then sunsets; a click wins the reader back', async () => {
    const quiet = await subscribe('quiet@example.com', 'Quinn');
    const clicker = await subscribe('clicker@example.com', 'Cleo');
    expect((await s.api('/v1/segments/readers', { name: 'Readers', condition: { field: 'email', op: 'exists' } })).status).toBe(201);
    expect((await s.api('/v1/segments/readers/count')).body).toMatchObject({ count: 2 });

    for (let n = 1; n <= 4; n++) {
      await sendNewsletter(n);
      await s.advance('7d');
    }
    expect((await s.api(`/v1/contacts/${quiet}`)).body.contact.newslettersSinceLastClick).toBe(4);

    await sendNewsletter(5); // the fifth in a row without a click: the variant
    const fifth = (email: string) => inbox(email)[inbox(email).length - 1]!;
    expect(fifth('quiet@example.com').parsed.subject).toMatch(/still/i);
    expect(fifth('clicker@example.com').parsed.subject).toMatch(/still/i);
    expect((await s.api(`/v1/contacts/${quiet}`)).body.contact.newslettersSinceLastClick).toBe(5);
    const quietRun = s.env.client.workflow.getHandle(journeyWorkflowId('reengagement', quiet));
    const clickerRun = s.env.client.workflow.getHandle(journeyWorkflowId('reengagement', clicker));
    expect((await quietRun.describe()).status.name).toBe('RUNNING');

    // Cleo clicks a link in the variant (a tracked link): count reset, run won.
    await s.advance('2d');
    const click = linkPath(String(fifth('clicker@example.com').parsed.html), /http:\/\/rapport\.test\/t\/c\/[\w.-]+/);
    expect((await s.visit(click)).status).toBe(302);
    expect(await clickerRun.result()).toBe('converted');
    expect((await s.api(`/v1/contacts/${clicker}`)).body.contact.newslettersSinceLastClick).toBe(0);

    // Quinn: a week without a click brings the last chance, another week the sunset.
    await s.advance('6d');
    await s.fx.sink.waitFor((m) => m.envelopeTo.includes('quiet@example.com') && /last chance/i.test(m.parsed.subject ?? ''));
    expect(await quietRun.result()).toBe('exited');
    const sunset = (await s.api(`/v1/contacts/${quiet}`)).body.contact;
    expect(sunset.subscriptions.newsletter).toBe('sunset');
    expect(sunset.newsletterSunsetAt).not.toBeNull();
    expect(sunset.tags).toContain('newsletter-sunset');

    // The next newsletter reaches Cleo, not Quinn; Quinn is kept, not deleted.
    const before = inbox('quiet@example.com').length;
    await sendNewsletter(6);
    expect(inbox('quiet@example.com')).toHaveLength(before);
    expect(fifth('clicker@example.com').parsed.subject).not.toMatch(/still/i);
    expect((await s.api(`/v1/contacts/${quiet}`)).status).toBe(200);
  });
});
