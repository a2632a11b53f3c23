// The journeys and approvals API end to end on the real dev server: a marketer
// validates, drafts, publishes, enrols, watches where contacts sit, pauses,
// resumes, decides an approval and deletes a contact.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';

let s: TestStack;
beforeAll(async () => {
  s = await startTestStack('it_journeys');
  await Promise.all([s.startServer(), s.startWorker()]);
});
afterAll(() => s?.close());

const draft = {
  key: 'vip_check',
  name: 'VIP check',
  trigger: { type: 'api' },
  steps: [
    {
      id: 'ask',
      type: 'approval',
      approver: 'boss@example.com',
      subject: 'Make VIP?',
      deadline: '7d',
      onApprove: 'make_vip',
      onReject: null,
    },
    { id: 'make_vip', type: 'update_contact', setTier: 'vip', addTags: ['vip'] },
  ],
};

describe('journeys API', () => {
  it('validates a definition and names each problem by its path', async () => {
    const r = await s.api('/v1/journeys/validate', {
      body: {
        ...draft,
        steps: [
          { id: 'a', type: 'send_email', template: 'no-such-template' },
          { id: 'b', type: 'wait', duration: 'soon' },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(r.body.issues.map((i: { path: string }) => i.path)).toEqual(['steps.1.duration']);
    const r2 = await s.api('/v1/journeys/validate', {
      body: { ...draft, steps: [{ id: 'a', type: 'send_email', template: 'no-such-template' }] },
    });
    expect(r2.body.issues).toEqual([{ path: 'steps.0.template', message: 'unknown template "no-such-template"' }]);
    const bad = await s.api('/v1/journeys/vip_check', { method: 'PUT', body: { ...draft, steps: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_journey', details: [{ path: 'steps' }] });
  });

  it('drafts, publishes, enrols, reports where contacts sit, and the approval decides the path', async () => {
    expect((await s.api('/v1/journeys/vip_check', { method: 'PUT', body: draft })).status).toBe(200);
    const pub = await s.api('/v1/journeys/vip_check/publish', { body: {} });
    expect(pub.status).toBe(201);
    expect(pub.body).toEqual({ version: 1, created: true });
    expect((await s.api('/v1/journeys/vip_check/publish', { body: {} })).body).toEqual({ version: 1, created: false });

    const contact = (await s.api('/v1/contacts', { body: { email: 'vip@example.com', firstName: 'Val' } })).body.contact;
    const enrol = await s.api('/v1/journeys/vip_check/enrol', { body: { contact: { email: 'vip@example.com' } } });
    expect(enrol.status).toBe(202);

    // The run waits at the approval step: the journey view counts it there.
    const view = await vi.waitFor(
      async () => {
        const v = await s.api('/v1/journeys/vip_check');
        expect(v.body.running).toEqual([{ version: 1, step: 'ask', contacts: 1, inDraft: true }]);
        return v.body;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(view.versions).toHaveLength(1);
    const run = await vi.waitFor(
      async () => {
        const r = await s.api(`/v1/journeys/vip_check/runs/${contact.id}`);
        expect(r.body.live?.nextWakeAt).toBeTruthy();
        return r;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(run.body.live).toMatchObject({ currentStep: 'ask', paused: false });
    expect(Date.parse(run.body.live.nextWakeAt)).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    const mail = await s.sink.waitFor((m) => m.envelopeTo.includes('boss@example.com'));
    expect(mail.parsed.subject).toBe('Approval needed: Make VIP?');
    const pending = await s.api('/v1/approvals?status=pending');
    expect(pending.body.approvals).toHaveLength(1);
    const id = pending.body.approvals[0].id;
    // The approver decides from the email: a signed link to a page with buttons.
    const link = /http:\/\/rapport\.test(\/a\/[\w.-]+)/.exec(String(mail.parsed.html))![1]!;
    const pageRes = await fetch(`${s.server!.url}${link}`);
    expect(pageRes.status).toBe(200);
    expect(await pageRes.text()).toContain('Make VIP?');
    const bad = await fetch(`${s.server!.url}${link}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=maybe',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('decision');
    const decided = await fetch(`${s.server!.url}${link}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('Approved');
    expect((await s.api(`/v1/approvals/${id}/decision`, { body: { decision: 'reject', by: 'someone' } })).status).toBe(409);
    const forged = await fetch(`${s.server!.url}${link.slice(0, -2)}xx`);
    expect(forged.status).toBe(404);
    const after = (await s.api('/v1/approvals?status=approved')).body.approvals.find((a: { id: string }) => a.id === id);
    expect(after.decidedBy).toBe('boss@example.com');

    await vi.waitFor(
      async () => {
        const c = await s.api(`/v1/contacts/${contact.id}`);
        expect(c.body.contact).toMatchObject({ tier: 'vip', tags: ['vip'] });
      },
      { timeout: 15_000, interval: 100 },
    );
    await vi.waitFor(
      async () => {
        const timeline = await s.api(`/v1/contacts/${contact.id}/timeline`);
        const steps = timeline.body.entries
          .filter((e: { kind: string }) => e.kind === 'journey_step')
          .map((e: { step: string; outcome: string }) => `${e.step}:${e.outcome}`);
        expect(steps).toEqual(expect.arrayContaining(['ask:approved', 'make_vip:updated', '(end):completed']));
      },
      { timeout: 15_000, interval: 100 },
    );
  });

  it('pauses and resumes a journey, and refuses enrolment in an unpublished one', async () => {
    expect((await s.api('/v1/journeys/vip_check/pause', { body: {} })).body).toMatchObject({ status: 'paused' });
    const held = await s.api('/v1/journeys/vip_check/enrol', { body: { contact: { email: 'vip@example.com' } } });
    expect(held.status).toBe(409);
    expect(held.body.error.code).toBe('journey_paused');
    expect((await s.api('/v1/journeys')).body.journeys.find((j: { key: string }) => j.key === 'vip_check')).toMatchObject({
      status: 'paused',
      latestVersion: 1,
    });
    expect((await s.api('/v1/journeys/vip_check/resume', { body: {} })).body).toMatchObject({ status: 'active' });
    const once = await s.api('/v1/journeys/vip_check/enrol', { body: { contact: { email: 'vip@example.com' } } });
    expect(once.status).toBe(409); // her run ended, and the journey's re-entry is "once"
    expect(once.body.error.code).toBe('reentry_not_allowed');
    await s.api('/v1/journeys/draft_only', { method: 'PUT', body: { ...draft, key: 'draft_only' } });
    const r = await s.api('/v1/journeys/draft_only/enrol', { body: { contact: { email: 'vip@example.com' } } });
    expect(r.status).toBe(409);
    expect((await s.api('/v1/journeys/nope')).status).toBe(404);
  });

  it('deletes a contact: personal data erased, their runs end', async () => {
    const c = (await s.api('/v1/contacts', { body: { email: 'leaving@example.com', firstName: 'Lee' } })).body.contact;
    await s.api('/v1/journeys/vip_check/enrol', { body: { contact: { id: c.id } } });
    await vi.waitFor(
      async () => {
        expect((await s.api(`/v1/journeys/vip_check/runs/${c.id}`)).body.run?.currentStep).toBe('ask');
      },
      { timeout: 15_000, interval: 100 },
    );
    const again = await s.api('/v1/journeys/vip_check/enrol', { body: { contact: { id: c.id } } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_running');
    expect((await s.api(`/v1/contacts/${c.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.api(`/v1/contacts/${c.id}`)).status).toBe(404);
    await vi.waitFor(
      async () => {
        expect((await s.api(`/v1/journeys/vip_check/runs/${c.id}`)).body.run.status).toBe('exited');
      },
      { timeout: 15_000, interval: 100 },
    );
  });
});

describe('deeply nested definitions', () => {
  const nestedNot = (depth: number) => {
    let c: unknown = { field: 'email', op: 'exists' };
    for (let i = 0; i < depth; i++) c = { not: c };
    return c;
  };
  const deep = (depth: number) => ({
    key: 'deep',
    name: 'Deep',
    trigger: { type: 'condition', when: nestedNot(depth) },
    steps: [{ id: 'bye', type: 'exit' }],
  });

  it('answers 400 naming where, for more than 100 levels, through save, validate and simulate', async () => {
    // 90 levels of `not` are a valid (if odd) condition: the limit is on depth, not on conditions.
    expect((await s.api('/v1/journeys/validate', { body: deep(90) })).body).toEqual({ valid: true, issues: [] });
    const saved = await s.api('/v1/journeys/deep', { method: 'PUT', body: deep(150) });
    expect(saved.status).toBe(400);
    expect(saved.body.error.code).toBe('invalid_journey');
    expect(saved.body.error.details).toEqual([{ path: 'trigger.when.not.not', message: 'must not be nested more than 100 levels deep' }]);
    const checked = await s.api('/v1/journeys/validate', { body: deep(150) });
    expect(checked.status).toBe(200);
    expect(checked.body.issues[0].path).toBe('trigger.when.not.not');
    await s.api('/v1/journeys/deep', { method: 'PUT', body: deep(1) });
    const simulated = await s.api('/v1/journeys/deep/simulate', {
      body: { contact: { email: 'deep@example.com' }, definition: deep(150) },
    });
    expect(simulated.status).toBe(400);
    expect(simulated.body.error.details[0].path).toBe('definition.trigger.when.not.not');
  });

  it('does not overflow the stack on 100,000 levels (a 400, and the server still answers)', async () => {
    // Written out as text: JSON.stringify itself recurses, and would overflow here.
    const n = 100_000;
    const when = `${'{"not":'.repeat(n)}{"field":"email","op":"exists"}${'}'.repeat(n)}`;
    const body = `{"key":"deep","name":"Deep","trigger":{"type":"condition","when":${when}},"steps":[{"id":"bye","type":"exit"}]}`;
    expect(body.length).toBeLessThan(2_000_000); // under the JSON body limit, so the definition check is reached
    const saved = await s.api('/v1/journeys/deep', { method: 'PUT', body });
    expect(saved.status).toBe(400);
    expect(saved.body.error.details[0].path).toBe('trigger.when.not.not');
    const webhooks = `{"bye":{"status":200,"body":${'['.repeat(n)}${']'.repeat(n)}}}`;
    const simulated = await s.api('/v1/journeys/deep/simulate', {
      body: `{"contact":{"email":"deep@example.com"},"webhooks":${webhooks}}`,
    });
    expect(simulated.status).toBe(400);
    expect(simulated.body.error.details[0].path).toMatch(/^webhooks\.bye\.body/);
    expect((await s.api('/health', { key: null })).status).toBe(200);
  });
});
