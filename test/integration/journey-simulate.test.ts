// POST /v1/journeys/{key}/simulate over HTTP: the draft, a definition in the
// body, a described or a stored contact (its stored events count), and 400s
// that name the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack('it_simulate');
  await s.startServer();
});
afterAll(() => s?.close());

const draft = {
  key: 'sim_api',
  name: 'Simulated over HTTP',
  trigger: { type: 'event', event: 'signed_up' },
  goals: [{ event: 'purchase', outcome: 'converted' }],
  steps: [
    { id: 'hello', type: 'send_email', template: 'welcome' },
    { id: 'pause', type: 'wait', duration: '3d' },
    {
      id: 'gold',
      type: 'branch',
      cases: [
        { label: 'gold', when: { field: 'tier', op: 'eq', value: 'gold' }, next: 'vip' },
        { label: 'viewed', when: { event: 'page_viewed', within: '30d' }, next: 'tips' },
      ],
      otherwise: null,
    },
    { id: 'vip', type: 'update_contact', addTags: ['vip'], next: 'tips' },
    { id: 'tips', type: 'send_email', template: 'getting-started' },
  ],
};
const START = '2026-03-02T09:00:00.000Z';

describe('simulate', () => {
  beforeAll(async () => {
    expect((await s.api('/v1/journeys/sim_api', { method: 'PUT', body: draft })).status).toBe(200);
  });

  it('predicts the path of a described contact with send times and branch reasons', async () => {
    const r = await s.api('/v1/journeys/sim_api/simulate', {
      body: { contact: { describe: { tier: 'gold', attributes: { plan: 'pro' } } }, start: START },
    });
    expect(r.status).toBe(200);
    expect(r.body.steps.map((x: { step: string; outcome: string }) => `${x.step}:${x.outcome}`)).toEqual([
      'hello:sent',
      'pause:waited',
      'gold:gold',
      'vip:updated',
      'tips:sent',
    ]);
    expect(r.body.emails).toEqual([
      expect.objectContaining({ step: 'hello', template: 'welcome', at: START, outcome: 'sent' }),
      expect.objectContaining({ step: 'tips', at: '2026-03-05T09:00:00.000Z' }),
    ]);
    expect(r.body.decisions[0]).toMatchObject({ step: 'gold', outcome: 'gold', why: 'tier is "gold", eq "gold"' });
    expect(r.body.end).toMatchObject({ status: 'completed', at: '2026-03-05T09:00:00.000Z' });
  });

  it('ends at a goal event, and a stored contact’s past events count in conditions', async () => {
    const c = await s.api('/v1/events', {
      body: {
        id: 'sim-1',
        type: 'page_viewed',
        contact: { email: 'sim@example.com', marketingConsent: true },
        properties: { path: '/pricing' },
        occurredAt: '2026-02-20T10:00:00Z',
      },
    });
    expect(c.status).toBeLessThan(300);
    const viewed = await s.api('/v1/journeys/sim_api/simulate', { body: { contact: { email: 'sim@example.com' }, start: START } });
    expect(viewed.status).toBe(200);
    expect(viewed.body.decisions[0]).toMatchObject({
      outcome: 'viewed',
      why: '1 "page_viewed" event(s) in the last 30d; wanted {"gte":1}',
    });
    const bought = await s.api('/v1/journeys/sim_api/simulate', {
      body: { contact: { email: 'sim@example.com' }, start: START, events: [{ type: 'purchase', properties: { amount: 20 }, at: '1d2h' }] },
    });
    expect(bought.body.end).toEqual({ status: 'converted', at: '2026-03-03T11:00:00.000Z', reason: 'goal event "purchase"' });
    expect(bought.body.steps.at(-1)).toMatchObject({ step: 'pause', outcome: 'interrupted' });
  });

  it('simulates unsaved edits given in the body, and reports a run that waits past the horizon', async () => {
    const edited = { ...draft, steps: [{ id: 'long', type: 'wait', duration: '30d' }, ...draft.steps] };
    const r = await s.api('/v1/journeys/sim_api/simulate', {
      body: { contact: { describe: {} }, definition: edited, horizon: '10d', start: START },
    });
    expect(r.status).toBe(200);
    expect(r.body.end).toMatchObject({ status: 'waiting', step: 'long', until: '2026-04-01T09:00:00.000Z' });
  });

  it('answers 400 naming the field, 404 for unknown journeys and contacts', async () => {
    const bad = async (body: unknown, path: string) => {
      const r = await s.api('/v1/journeys/sim_api/simulate', { body });
      expect(r.status).toBe(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    };
    await bad({ contact: { describe: {} }, events: [{ type: 'purchase', at: 'soon' }] }, 'events.0.at');
    await bad({ contact: { describe: {}, email: 'a@example.com' } }, 'contact');
    await bad({ contact: { describe: { lifetimeSpend: -1 } } }, 'contact.describe.lifetimeSpend');
    await bad(
      { contact: { describe: {} }, definition: { ...draft, steps: [{ id: 'x', type: 'wait', duration: 'later' }] } },
      'definition.steps.0.duration',
    );
    await bad({ contact: { describe: {} }, surprise: 1 }, '(body)');
    expect((await s.api('/v1/journeys/nope/simulate', { body: { contact: { describe: {} } } })).status).toBe(404);
    expect((await s.api('/v1/journeys/sim_api/simulate', { body: { contact: { email: 'nobody@example.com' } } })).body.error.code).toBe(
      'contact_not_found',
    );
  });
});
