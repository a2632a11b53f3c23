// Building on the canvas in a real browser on the real stack: a three-step
// journey from nothing (add, connect, reorder, a field's error at the field
// and on the node), saved and published; an event moves its node counts; then
// the journey is simulated and the predicted path shown, on the canvas too;
// a handle dragged onto another step connects them, and Delete removes a step.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../users/service';
import { startTestStack, type TestStack } from '../support/stack';
import { launchBrowser, type TestBrowser } from './browser';

const PW = 'correct horse battery';
let s: TestStack;
let b: TestBrowser;
let page: Page;

beforeAll(async () => {
  s = await startTestStack('web_canvas');
  const [, , browser] = await Promise.all([s.startServer(), s.startWorker(), launchBrowser()]);
  b = browser;
  await createUser(s.tdb.db, { email: 'mara@example.com', role: 'marketer', password: PW });
  page = (await b.signIn(s.server!.url, 'mara@example.com', PW)).page;
}, 180_000);
afterAll(async () => {
  await b?.close();
  await s?.close();
});

const node = (id: string) => page.locator(`[data-node="${id}"]`);
const panel = () => page.locator('#panel-node');

describe('the journey canvas', () => {
  it('builds a three-step journey from nothing, saves and publishes it', async () => {
    await page.getByRole('heading', { name: 'Journeys' }).waitFor();
    await page.getByRole('button', { name: 'New journey' }).click();
    await page.getByLabel('Key').fill('canvas_trial');
    await page.getByLabel('Name').fill('Canvas trial');
    await page.getByLabel('Starts on the event').fill('trial_started');
    await page.getByRole('button', { name: 'Create and open the canvas' }).click();
    await page.getByText('No steps yet.').waitFor();
    expect(await node('trigger').textContent()).toContain('When trial_started');

    // Add: an email, then (after it) a wait, then an exit at the end.
    const type = page.getByLabel('Add a step');
    await type.selectOption('send_email');
    await page.getByRole('button', { name: 'Add at the end' }).click();
    await node('email').waitFor();
    await panel().getByLabel('Template').fill('welcome');
    await type.selectOption('exit');
    await page.getByRole('button', { name: 'Add after email' }).click();
    await node('exit').waitFor();
    // Reorder: a wait added at the end, then moved up before the exit.
    await page.locator('#step-picker').selectOption('exit');
    await type.selectOption('wait');
    await page.getByRole('button', { name: 'Add after exit' }).click();
    await node('wait').waitFor();
    await panel().getByRole('button', { name: 'Move up' }).click();

    // A bad duration: the server's validator names the field, shown at it and on the node.
    await panel().getByLabel('Duration').fill('soon');
    await expect
      .poll(() => panel().locator('.field.has-error').textContent(), { timeout: 10_000, interval: 200 })
      .toContain('must be a duration');
    await expect.poll(() => node('wait').locator('.jnode-issue').textContent()).toContain('steps.1.duration');
    expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    await panel().getByLabel('Duration').fill('2d');
    await expect.poll(() => node('wait').locator('.jnode-issue').count(), { timeout: 10_000, interval: 200 }).toBe(0);
    // Connect (keyboard way; dragging a handle does the same edit): the email goes on to the wait.
    await page.locator('#step-picker').selectOption('email');
    expect(await panel().getByLabel('Next step').inputValue()).toBe('wait');

    // The YAML beside it is the same definition.
    await page.getByRole('tab', { name: /YAML/ }).click();
    await expect.poll(() => page.locator('.cm-content').textContent()).toContain('duration: 2d');
    await b.shot(page, 'canvas-built');

    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    const saved = await s.api('/v1/journeys/canvas_trial');
    expect(saved.body.draft.steps).toEqual([
      { id: 'email', type: 'send_email', template: 'welcome' },
      { id: 'wait', type: 'wait', duration: '2d' },
      { id: 'exit', type: 'exit', outcome: 'completed' },
    ]);
    await page.getByRole('button', { name: 'Publish…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish v1' }).click();
    await page.getByText('Published v1').waitFor();
  });

  it('moves the node counts when an event arrives', async () => {
    const r = await s.api('/v1/events', {
      body: { id: 'canvas-1', type: 'trial_started', contact: { email: 'tess@example.com', marketingConsent: true } },
    });
    expect(r.status).toBe(202);
    await expect.poll(() => node('wait').locator('[data-count="now"] b').textContent(), { timeout: 20_000, interval: 250 }).toBe('1');
    await expect.poll(() => node('email').locator('[data-count="passed"] b').textContent(), { timeout: 10_000, interval: 250 }).toBe('1');
    await expect
      .poll(() => node('email').locator('[data-count="email"]').textContent(), { timeout: 10_000, interval: 250 })
      .toContain('1 sent');
  });

  it('simulates the journey and shows the predicted path', async () => {
    await page.getByRole('tab', { name: 'Simulate' }).click();
    const sim = page.locator('#panel-simulate');
    await sim.getByLabel('Event 1 type').fill('purchase');
    await sim.getByLabel('After', { exact: true }).fill('3d');
    await sim.getByRole('button', { name: 'Simulate' }).click();
    const path = sim.getByRole('region', { name: 'Predicted path' });
    await path.waitFor();
    expect(await path.locator('[data-sim-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-sim-step')))).toEqual([
      'email',
      'wait',
      'exit',
    ]);
    expect(await path.locator('[data-sim-step="wait"]').textContent()).toContain('until +2d');
    expect(await path.locator('[data-sim-email="email"]').textContent()).toContain('welcome');
    expect(await path.locator('[data-sim-end]').getAttribute('data-sim-end')).toBe('completed');
    // The purchase comes after the end: not heard.
    expect(await path.textContent()).toContain('purchase at +3d');
    // The path is drawn on the canvas.
    expect(await page.locator('.jnode.is-simulated').count()).toBe(3);
    await b.shot(page, 'canvas-simulated');

    // A bad offset: the server's 400 names the field, shown at the event.
    await sim.getByLabel('After', { exact: true }).fill('soon');
    await sim.getByRole('button', { name: 'Simulate' }).click();
    await expect.poll(() => sim.locator('.event-row .field-error').textContent()).toContain('must be an offset');
  });

  it('connects two steps by dragging a handle, and deletes a step with the Delete key', async () => {
    const edge = (id: string) => page.locator(`[data-testid="rf__edge-${id}"]`);
    const yaml = () => page.locator('.cm-content').textContent();
    // A fresh load fits the whole graph in view (React Flow fits once, on its first nodes).
    await page.reload();
    await node('exit').waitFor();
    expect(await edge('email->wait#0').count()).toBe(1);

    // Drag from the email's bottom handle to the exit's top handle: the email now skips the wait.
    const from = await node('email').locator('.react-flow__handle.source').boundingBox();
    const to = await node('exit').locator('.react-flow__handle.target').boundingBox();
    if (!from || !to) throw new Error('a handle is not on screen');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await edge('email->exit#0').waitFor();
    expect(await edge('email->wait#0').count()).toBe(0);
    await page.getByRole('tab', { name: /YAML/ }).click();
    await expect.poll(yaml).toContain('next: exit');

    // Select the wait on the canvas and press Delete: it leaves the graph and the YAML.
    await node('wait').click();
    await panel().getByRole('heading', { name: 'wait', exact: true }).waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => node('wait').count()).toBe(0);
    expect(await edge('wait->exit#0').count()).toBe(0);
    expect(await edge('email->exit#0').count()).toBe(1);
    expect(await page.locator('#step-picker option').allTextContents()).toEqual(['Show a step…', 'Trigger', 'email', 'exit']);
    await page.getByRole('tab', { name: /YAML/ }).click();
    await expect.poll(yaml).not.toContain('id: wait');
    expect(await yaml()).not.toContain('duration: 2d');

    // The draft the server keeps is the same definition.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    expect((await s.api('/v1/journeys/canvas_trial')).body.draft.steps).toEqual([
      { id: 'email', type: 'send_email', template: 'welcome', next: 'exit' },
      { id: 'exit', type: 'exit', outcome: 'completed' },
    ]);
  });
});
