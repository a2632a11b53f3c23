// The workspace in a real browser on the real stack: sign in, the journeys list
// and graph with counts that move when an event arrives, a clicked node's
// contacts, YAML errors at their line and on the node, publishing with what
// happens to runs in flight, pause and resume, contacts (search, profile, timeline,
// unsubscribe, erase; by name and tag; each decision's reason), approvals (a
// journey's own, and the shipped spend_rewards' platinum reward approved for one
// contact and rejected for another), users, and a viewer who cannot change anything;
// no critical axe-core violation on the graph, approvals and users pages.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../users/service';
import { startTestStack, type TestStack } from '../support/stack';
import { criticalViolations } from './axe';
import { launchBrowser, type TestBrowser } from './browser';

const PW = 'correct horse battery';
let s: TestStack;
let b: TestBrowser;
let base = '';

beforeAll(async () => {
  s = await startTestStack('web_journeys');
  const [, , browser] = await Promise.all([s.startServer(), s.startWorker(), launchBrowser()]);
  b = browser;
  base = s.server!.url;
  await createUser(s.tdb.db, { email: 'admin@example.com', role: 'admin', password: PW });
  await createUser(s.tdb.db, { email: 'vera@example.com', role: 'viewer', password: PW });
}, 180_000);
afterAll(async () => {
  await b?.close();
  await s?.close();
});

const signUp = (email: string) =>
  s.api('/v1/events', { body: { id: `evt-${email}`, type: 'signed_up', contact: { email, firstName: 'Ada' } } });
const cell = (page: Page, key: string, col: string) => page.locator(`tr[data-journey="${key}"] td[data-col="${col}"]`);

describe('journeys in the workspace', () => {
  let page: Page;

  it('refuses a wrong password on the login form, then signs in', async () => {
    const context = await b.browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
    const p = await context.newPage();
    await p.goto('/journeys');
    await b.shot(p, 'login');
    await p.getByLabel('Email').fill('admin@example.com');
    await p.getByLabel('Password').fill('wrong password');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => p.getByRole('alert').textContent()).toContain('wrong email or password');
    await p.getByLabel('Password').fill(PW);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Journeys' }).waitFor();
    page = p;
  });

  it('lists the journeys, and the in-flight count moves when an event arrives', async () => {
    await page.locator('tr[data-journey="welcome"]').waitFor();
    expect(await cell(page, 'welcome', 'in-flight').textContent()).toBe('0');
    expect((await signUp('ada@example.com')).status).toBe(202);
    // The list refreshes by itself every 5 s.
    await expect.poll(() => cell(page, 'welcome', 'in-flight').textContent(), { timeout: 20_000, interval: 250 }).toBe('1');
    expect(await cell(page, 'welcome', 'entered').textContent()).toBe('1 / 1');
    await b.shot(page, 'journeys');
  });

  it('draws the journey with counts per node and rates per email step', async () => {
    await page.getByRole('link', { name: 'Welcome series' }).click();
    const wait = page.locator('[data-node="wait_3_days"]');
    await wait.waitFor();
    await expect.poll(() => wait.locator('[data-count="now"] b').textContent(), { timeout: 15_000, interval: 250 }).toBe('1');
    const email = page.locator('[data-node="welcome_email"]');
    await expect.poll(() => email.locator('[data-count="email"]').textContent(), { timeout: 15_000, interval: 250 }).toContain('1 sent');
    expect(await email.locator('[data-count="passed"] b').textContent()).toBe('1');
    expect(await page.locator('[data-node="trigger"]').textContent()).toContain('When signed_up');

    // A second sign-up: the counts on the open page move without a reload.
    expect((await signUp('bob@example.com')).status).toBe(202);
    await expect.poll(() => wait.locator('[data-count="now"] b').textContent(), { timeout: 15_000, interval: 250 }).toBe('2');
    await expect.poll(() => page.locator('[data-stat="in-flight"] b').textContent()).toBe('2');

    // Click the node: its settings and who waits there, with the next wake-up.
    await wait.click();
    const panel = page.locator('#panel-node');
    await panel.getByRole('heading', { name: 'wait_3_days' }).waitFor();
    // Its settings, as the form that edits them.
    expect(await panel.getByLabel('Duration').inputValue()).toBe('3d');
    const rows = panel.getByRole('table', { name: 'Contacts waiting at wait_3_days' }).locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    expect(await rows.allTextContents()).toEqual([expect.stringContaining('ada@example.com'), expect.stringContaining('bob@example.com')]);
    // Three days ahead (the wait), as the workflow itself reports it.
    await expect.poll(() => rows.first().locator('td').nth(2).textContent(), { timeout: 10_000 }).toMatch(/\d{4}/);
    await b.shot(page, 'journey-graph');
    // The graph with a node's panel open: no critical accessibility violation.
    expect(await criticalViolations(page)).toEqual([]);
  });

  it('completes the YAML from the journey JSON Schema', async () => {
    await page.getByRole('tab', { name: /YAML/ }).click();
    const editor = page.locator('.cm-content');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('key: welcome\nname: Welcome series\nre');
    await page.keyboard.press('Control+Space');
    const options = page.locator('.cm-tooltip-autocomplete li');
    // A top-level property the schema knows, offered for the letters typed.
    await expect.poll(() => options.allTextContents(), { timeout: 10_000 }).toContain('reentry');
    await page.keyboard.press('Escape');
  });

  it('shows YAML errors at their line and on the node, and publishes with what happens to runs in flight', async () => {
    await page.getByRole('tab', { name: /YAML/ }).click();
    const editor = page.locator('.cm-content');
    const original = await s.api('/v1/journeys/welcome');
    const yamlWith = (duration: string, withWait: boolean) =>
      [
        'key: welcome',
        'name: Welcome series',
        'description: Greets every new sign-up, then follows up with tips.',
        'category: journeys',
        'trigger:',
        '  type: event',
        '  event: signed_up',
        'reentry: once',
        'goals: []',
        'steps:',
        '  - id: welcome_email',
        '    type: send_email',
        '    template: welcome',
        ...(withWait
          ? ['  - id: wait_3_days', '    type: wait', `    duration: ${duration}`]
          : ['  - id: pause_a_day', '    type: wait', `    duration: ${duration}`]),
        '  - id: tips_email',
        '    type: send_email',
        '    template: getting-started',
        '',
      ].join('\n');
    const replace = async (text: string) => {
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(text);
    };
    await replace(yamlWith('soon', true));
    const issue = page.getByRole('list', { name: 'Problems in the definition' });
    await expect.poll(() => issue.textContent(), { timeout: 10_000 }).toContain('Line 16: steps.1.duration');
    await expect.poll(() => page.locator('[data-node="wait_3_days"] .jnode-issue').textContent()).toContain('steps.1.duration');
    expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    await b.shot(page, 'journey-yaml-error');

    // The new version drops wait_3_days, where both contacts sit.
    await replace(yamlWith('1d', false));
    await expect.poll(() => page.locator('[data-node="pause_a_day"]').count(), { timeout: 10_000 }).toBe(1);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    expect((await s.api('/v1/journeys/welcome')).body.draft.steps.map((x: { id: string }) => x.id)).toEqual([
      'welcome_email',
      'pause_a_day',
      'tips_email',
    ]);

    await page.getByRole('button', { name: 'Publish…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish welcome' });
    await dialog.getByText('2 contacts wait at wait_3_days, which the new version removes: they finish on v1.').waitFor();
    // Only the changed lines are marked (one key order on both sides).
    expect((await dialog.locator('.diff-add').allTextContents()).join('')).toBe('+   - id: pause_a_day\n+     duration: 1d\n');
    expect((await dialog.locator('.diff-del').allTextContents()).join('')).toBe('-   - id: wait_3_days\n-     duration: 3d\n');
    await b.shot(page, 'journey-publish');
    await dialog.getByRole('button', { name: 'Publish v2' }).click();
    await page.getByText('Published v2').waitFor();
    // The graph now shows v2; the two runs on v1 are named where they wait.
    await expect.poll(() => page.locator('[data-stat="elsewhere"]').textContent(), { timeout: 10_000 }).toContain('wait_3_days (2)');
    const after = await s.api('/v1/journeys/welcome');
    expect(after.body.latestVersion).toBe(2);
    expect(after.body.running).toEqual([{ version: 1, step: 'wait_3_days', contacts: 2, inDraft: false }]);
    expect(original.body.latestVersion).toBe(1);
  });

  it('pauses and resumes', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Paused:').waitFor();
    expect((await s.api('/v1/journeys/welcome')).body.status).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Resumed:').waitFor();
    expect((await s.api('/v1/journeys/welcome')).body.status).toBe('active');
  });

  it('lets a viewer look but not change anything', async () => {
    const { context, page: v } = await b.signIn(base, 'vera@example.com', PW);
    await v.goto('/journeys/welcome');
    await v.locator('[data-node="welcome_email"]').waitFor();
    expect(await v.getByText('read only').count()).toBe(1);
    for (const name of ['Save draft', 'Publish…', 'Pause', 'Resume']) expect(await v.getByRole('button', { name }).count(), name).toBe(0);
    expect(await v.getByRole('link', { name: 'Users' }).count()).toBe(0);
    // Even from the page's own script, with its CSRF token, a change is refused.
    const status = await v.evaluate(async () => {
      const session = (await (await fetch('/dashboard/api/session')).json()) as { csrfToken: string };
      const r = await fetch('/dashboard/api/v1/journeys/welcome/pause', { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
      return r.status;
    });
    expect(status).toBe(403);
    expect((await s.api('/v1/journeys/welcome')).body.status).toBe('active');
    // Contacts too: visible, but no unsubscribe or erase.
    await v.goto('/contacts?q=bob');
    await v.locator('tr[data-contact="bob@example.com"]').getByRole('link').click();
    await v.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await v.getByRole('button', { name: /Unsubscribe|Erase/ }).count()).toBe(0);
    await context.close();
  });

  it('reads on a phone', async () => {
    const { context, page: p } = await b.signIn(base, 'admin@example.com', PW, { width: 390, height: 844 });
    await p.goto('/journeys/welcome');
    await p.locator('[data-node="welcome_email"]').waitFor();
    // Nothing wider than the screen: no sideways scrolling of the page.
    expect(await p.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(390);
    await b.shot(p, 'journey-phone');
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Journeys' }).click();
    await p.locator('tr[data-journey="welcome"]').waitFor();
    await b.shot(p, 'journeys-phone');
    await context.close();
  });

  it('finds a contact, shows the profile and timeline, unsubscribes and erases', async () => {
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByLabel('Search by email, name, company or tag').fill('ada@');
    const row = page.locator('tr[data-contact="ada@example.com"]');
    await row.waitFor();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Ada' }).waitFor();
    const timeline = page.getByRole('list', { name: 'Newest first' });
    await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toContain('Email welcome v1: sent');
    expect(await timeline.textContent()).toContain('welcome › welcome_email (send email): sent');
    expect(await timeline.locator('li').last().textContent()).toContain('Event signed_up');
    await b.shot(page, 'contact');

    await page.getByRole('button', { name: 'Unsubscribe from marketing' }).click();
    await page.getByText('Unsubscribed from all marketing email.').waitFor();
    await expect.poll(() => page.locator('[data-subscription="journeys"]').textContent()).toBe('unsubscribed');
    const id = (await s.api('/v1/contacts/ada@example.com?by=email')).body.contact.id as string;
    expect(await s.tdb.db.suppression.count({ where: { email: 'ada@example.com', category: 'newsletter' } })).toBe(1);

    await page.getByRole('button', { name: 'Erase…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase ada@example.com?' });
    const erase = dialog.getByRole('button', { name: 'Erase contact' });
    expect(await erase.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the email address to confirm').fill('ada@example.com');
    await erase.click();
    await page.getByText('Contact erased.').waitFor();
    expect((await s.api(`/v1/contacts/${id}`)).status).toBe(404);
    const after = await s.tdb.db.contact.findUniqueOrThrow({ where: { id } });
    expect(after).toMatchObject({ email: `deleted+${id}@invalid`, firstName: null });
    expect(after.deletedAt).not.toBeNull();
  });

  it('approves a decision that waits for a human, and the run goes on', async () => {
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { name: 'Nothing waits for a decision' }).waitFor();
    const vip = {
      key: 'vip_check',
      name: 'VIP check',
      trigger: { type: 'api' },
      steps: [
        {
          id: 'ask',
          type: 'approval',
          approver: 'boss@example.com',
          subject: 'Make Bob VIP?',
          deadline: '7d',
          onApprove: 'make_vip',
          onReject: null,
        },
        { id: 'make_vip', type: 'update_contact', setTier: 'vip' },
      ],
    };
    expect((await s.api('/v1/journeys/vip_check', { method: 'PUT', body: vip })).status).toBe(200);
    expect((await s.api('/v1/journeys/vip_check/publish', { body: {} })).status).toBe(201);
    expect((await s.api('/v1/journeys/vip_check/enrol', { body: { contact: { email: 'bob@example.com' } } })).status).toBe(202);
    const card = page.locator('[data-approval="Make Bob VIP?"]');
    await card.waitFor({ timeout: 20_000 });
    expect(await card.textContent()).toContain('vip_check');
    await b.shot(page, 'approvals');
    expect(await criticalViolations(page)).toEqual([]);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved: Make Bob VIP?').waitFor();
    expect(await s.tdb.db.approval.findFirstOrThrow({ where: { subject: 'Make Bob VIP?' } })).toMatchObject({
      status: 'approved',
      decidedBy: 'admin@example.com',
    });
    await vi.waitFor(async () => expect((await s.api('/v1/contacts/bob@example.com?by=email')).body.contact.tier).toBe('vip'), {
      timeout: 20_000,
      interval: 200,
    });
  });

  const PLATINUM = 'Platinum reward: a $100 coupon';
  const buyers: Record<'petra' | 'rolf', string> = { petra: '', rolf: '' };
  /** The spend_rewards steps a contact's runs logged, as step:outcome (the /v1 timeline). */
  const rewardSteps = async (id: string): Promise<string[]> =>
    (await s.api(`/v1/contacts/${id}/timeline?limit=200`)).body.entries
      .filter((e: { kind: string; journey?: string }) => e.kind === 'journey_step' && e.journey === 'spend_rewards')
      .map((e: { step: string; outcome: string }) => `${e.step}:${e.outcome}`);

  it('approves one platinum reward of the shipped spend_rewards and rejects another: a coupon for one, the tier alone for the other', async () => {
    // Two gold customers (their earlier tiers set here as the journey would have) each buy for $1,200.
    const people = [
      { key: 'petra', email: 'petra@example.com', firstName: 'Petra', lastName: 'Quist', tags: ['wholesale'] },
      { key: 'rolf', email: 'rolf@example.com', firstName: 'Rolf', lastName: 'Brandt', tags: ['wholesale', 'berlin'] },
    ] as const;
    for (const { key, tags, ...profile } of people) {
      const made = await s.api('/v1/contacts', { body: { ...profile, tags: [...tags], marketingConsent: true } });
      expect(made.status).toBe(201);
      buyers[key] = made.body.contact.id as string;
      await s.tdb.db.contact.update({ where: { id: buyers[key] }, data: { tier: 'gold' } });
      const order = {
        id: `order-${key}`,
        type: 'purchase',
        contact: { email: profile.email },
        properties: { orderId: `o-${key}`, amount: 1200 },
      };
      expect((await s.api('/v1/events', { body: order })).status).toBe(202);
    }

    // Both wait on the Approvals page (it refreshes by itself), each card naming its contact.
    const card = (id: string) => page.locator(`[data-approval="${PLATINUM}"]`).filter({ has: page.locator(`a[href="/contacts/${id}"]`) });
    await card(buyers.petra).waitFor({ timeout: 30_000 });
    await card(buyers.rolf).waitFor({ timeout: 30_000 });
    expect(await card(buyers.petra).textContent()).toContain('approver rewards@rapport.example');
    // Named, so that two cards with one subject can be told apart by a person too.
    expect(await card(buyers.petra).getByRole('link', { name: 'Petra Quist <petra@example.com>' }).count()).toBe(1);
    expect(await card(buyers.rolf).getByRole('link', { name: 'Rolf Brandt <rolf@example.com>' }).count()).toBe(1);
    expect(await card(buyers.petra).getByRole('link', { name: 'spend_rewards' }).count()).toBe(1);

    await card(buyers.petra).getByRole('button', { name: 'Approve' }).click();
    await page.getByText(`Approved: ${PLATINUM}`).waitFor();
    await expect.poll(() => card(buyers.petra).count(), { timeout: 10_000 }).toBe(0);
    await card(buyers.rolf).getByRole('button', { name: 'Reject' }).click();
    await page.getByText(`Rejected: ${PLATINUM}`).waitFor();
    await page.getByRole('heading', { name: 'Nothing waits for a decision' }).waitFor();
    expect(await s.tdb.db.approval.findFirstOrThrow({ where: { contactId: buyers.petra, subject: PLATINUM } })).toMatchObject({
      status: 'approved',
      decidedBy: 'admin@example.com',
    });
    expect(await s.tdb.db.approval.findFirstOrThrow({ where: { contactId: buyers.rolf, subject: PLATINUM } })).toMatchObject({
      status: 'rejected',
      decidedBy: 'admin@example.com',
    });

    // Approved: the run goes on to the $100 coupon, then the tier. Rejected: the tier alone.
    await vi.waitFor(
      async () =>
        expect(await rewardSteps(buyers.petra)).toEqual(
          expect.arrayContaining(['which_tier:platinum', 'platinum_approval:approved', 'platinum_coupon:issued', 'platinum_tier:updated']),
        ),
      { timeout: 30_000, interval: 250 },
    );
    await vi.waitFor(
      async () =>
        expect(await rewardSteps(buyers.rolf)).toEqual(
          expect.arrayContaining(['which_tier:platinum', 'platinum_approval:rejected', 'platinum_tier_only:updated']),
        ),
      { timeout: 30_000, interval: 250 },
    );
    expect((await rewardSteps(buyers.rolf)).filter((x) => x.startsWith('platinum_coupon') || x.startsWith('platinum_tier:'))).toEqual([]);
    const coupons = (id: string) =>
      s.tdb.db.coupon.findMany({ where: { contactId: id }, select: { code: true, valueCents: true, status: true } });
    expect(await coupons(buyers.petra)).toEqual([{ code: expect.stringMatching(/^PLAT/), valueCents: 10_000, status: 'issued' }]);
    expect(await coupons(buyers.rolf)).toEqual([]);
    for (const id of [buyers.petra, buyers.rolf])
      expect((await s.api(`/v1/contacts/${id}`)).body.contact).toMatchObject({ tier: 'platinum', loyaltyPoints: 1000 });
  });

  it('finds contacts by name and by tag, and shows the reason of each decision on their timelines', async () => {
    const search = page.getByLabel('Search by email, name, company or tag');
    const found = () =>
      page.locator('tbody tr[data-contact]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-contact')).sort());
    const timeline = page.getByRole('list', { name: 'Newest first' });
    const entry = (text: string) => timeline.locator('li').filter({ hasText: text });
    const branchWhy = 'Why: lifetimeSpend is 1200, gte 1000 and tier is "gold", neq "platinum"';
    // Opens a found contact's page; both buyers took the platinum branch for the same reason.
    const openWithBranchWhy = async (email: string, name: string) => {
      await page.locator(`tr[data-contact="${email}"]`).getByRole('link').click();
      await page.getByRole('heading', { name }).waitFor();
      await expect
        .poll(() => entry('spend_rewards › which_tier (branch): platinum').textContent(), { timeout: 10_000 })
        .toContain(branchWhy);
    };

    // By (part of) a last name, in any case: only Petra.
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Contacts' }).click();
    await search.fill('quist');
    await expect.poll(found, { timeout: 10_000 }).toEqual(['petra@example.com']);
    await openWithBranchWhy('petra@example.com', 'Petra Quist');
    expect(await entry('spend_rewards › platinum_approval (approval): approved').textContent()).toContain(
      'Why: decided by admin@example.com: approved',
    );
    expect(await entry('spend_rewards › platinum_coupon (issue coupon): issued').count()).toBe(1);
    // A step with no reason has no "Why" line.
    expect(await entry('spend_rewards › platinum_tier (update contact): updated').textContent()).not.toContain('Why:');

    // By a tag: both buyers carry "wholesale"; only Rolf "berlin".
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Contacts' }).click();
    await search.fill('wholesale');
    await expect.poll(found, { timeout: 10_000 }).toEqual(['petra@example.com', 'rolf@example.com']);
    await search.fill('berlin');
    await expect.poll(found, { timeout: 10_000 }).toEqual(['rolf@example.com']);
    await openWithBranchWhy('rolf@example.com', 'Rolf Brandt');
    expect(await entry('spend_rewards › platinum_approval (approval): rejected').textContent()).toContain(
      'Why: decided by admin@example.com: rejected',
    );
    expect(await entry('spend_rewards › platinum_tier_only (update contact): updated').count()).toBe(1);
    expect(await entry('platinum_coupon').count()).toBe(0);
  });

  it('lists the users for an admin, with no critical accessibility violation', async () => {
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('rowheader', { name: 'vera@example.com' }).waitFor();
    expect(await criticalViolations(page)).toEqual([]);
    await b.shot(page, 'users');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(async () => (await fetch('/dashboard/api/journeys')).status)).toBe(401);
  });
});
