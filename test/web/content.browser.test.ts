// The workspace's content pages in a real browser on the real stack (server,
// worker, PostgreSQL, Temporal, SMTP sinks): a template edited with problems at
// their lines and previewed for a contact at both widths, saved and test-sent,
// and the test read on the Sent mail page; a CSV of 1,000 contacts checked and
// imported in the background; a segment built with its live count; a
// newsletter sent and watched to the end, another paused, resumed and
// cancelled; a sales task done; a contact exported and enrolled; a viewer who
// can change nothing there; and no critical axe-core violation on the pages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMailSink, type MailSink } from '../../stack/smtp-sink';
import { createUser } from '../../users/service';
import { startTestStack, type TestStack } from '../support/stack';
import { criticalViolations } from './axe';
import { launchBrowser, type TestBrowser } from './browser';

const PW = 'correct horse battery';
let s: TestStack;
let b: TestBrowser;
let sink: MailSink;
let dir = '';
let base = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rapport-web-content-'));
  s = await startTestStack('web_content');
  // The server's own mail (test sends) goes to a sink with a web API, as under npm start.
  sink = await startMailSink({ smtpPort: 0, httpPort: 0, dir: join(dir, 'mail') });
  const [, , browser] = await Promise.all([
    s.startServer({ SMTP_URL: sink.smtpUrl, MAIL_SINK_URL: `http://127.0.0.1:${sink.httpPort}` }),
    s.startWorker(),
    launchBrowser(),
  ]);
  b = browser;
  base = s.server!.url;
  await createUser(s.tdb.db, { email: 'admin@example.com', role: 'admin', password: PW });
  await createUser(s.tdb.db, { email: 'vera@example.com', role: 'viewer', password: PW });
}, 180_000);
afterAll(async () => {
  await b?.close();
  await s?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name, exact: true }).click();
const accessibility: Record<string, string[]> = {};
async function checkA11y(page: Page, name: string) {
  accessibility[name] = await criticalViolations(page);
}
const replaceEditor = async (page: Page, text: string) => {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
};
const MJML = (body: string) =>
  [
    '<mjml>',
    '  <mj-body>',
    '    <mj-section>',
    '      <mj-column>',
    body,
    '        <mj-text><a href="{{unsubscribeUrl}}">Unsubscribe</a></mj-text>',
    '      </mj-column>',
    '    </mj-section>',
    '  </mj-body>',
    '</mjml>',
    '',
  ].join('\n');

describe('content pages of the workspace', () => {
  let page: Page;

  it('signs in', async () => {
    ({ page } = await b.signIn(base, 'admin@example.com', PW));
    await checkA11y(page, 'journeys');
  });

  it('creates a template: problems at their lines, a live preview for a contact at both widths, save, test send', async () => {
    await s.api('/v1/contacts', { body: { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' } });
    await nav(page, 'Templates');
    await page.locator('tr[data-template="newsletter"]').waitFor();
    await checkA11y(page, 'templates');
    await page.getByLabel('New template key').fill('spring-news');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'MJML' }).waitFor();
    const frame = page.frameLocator('iframe[title="Email preview"]');
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 10_000 }).toContain('Hello Ada!');

    // An unknown element on line 5: named at its line, in the list and in the editor's gutter.
    await replaceEditor(page, MJML('        <mj-foo>Spring is here, {{contact.firstName}}</mj-foo>'));
    const problems = page.getByRole('list', { name: 'Problems in the template' });
    await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toContain('Line 5: MJML: Element mj-foo doesn');
    await page.locator('.cm-lintRange-error').first().waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await checkA11y(page, 'template-editor-problems');

    await replaceEditor(page, MJML('        <mj-text>Spring is here, {{contact.firstName}}</mj-text>'));
    await page.getByLabel('Subject').fill('Spring news for {{contact.firstName}}');
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 10_000 }).toContain('Spring is here, Ada');
    expect(await problems.count()).toBe(0);
    const grace = (await s.api('/v1/contacts/grace@example.com?by=email')).body.contact.id as string;
    await page.getByLabel('Render for').selectOption(grace);
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 10_000 }).toContain('Spring is here, Grace');
    expect(await page.getByTestId('preview-subject').textContent()).toBe('Spring news for Grace');
    // The frame is sandboxed: no scripts, no same-origin access.
    expect(await page.locator('iframe[title="Email preview"]').getAttribute('sandbox')).toBe('');
    const width = () => page.locator('iframe[title="Email preview"]').evaluate((el) => el.getBoundingClientRect().width);
    expect(await width()).toBeGreaterThan(440); // the whole preview column at 1280 px
    await page.getByRole('button', { name: 'Mobile' }).click();
    await expect.poll(width).toBe(375);
    await b.shot(page, 'template-editor');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved v1').waitFor();
    const saved = await s.api('/v1/templates/spring-news');
    expect(saved.body.template).toMatchObject({ version: 1, category: 'newsletter', subject: 'Spring news for {{contact.firstName}}' });

    await page.getByLabel('Send a test of the saved version to').fill('me@example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('Test sent to me@example.com').waitFor();
    const mail = await sink.waitFor((m) => m.envelopeTo.includes('me@example.com'));
    expect(mail.parsed.subject).toBe('[Test] Spring news for Grace');
  });

  it('shows the mail the sink received, rendered in a sandboxed frame', async () => {
    await nav(page, 'Sent mail');
    const item = page.locator('li[data-mail="[Test] Spring news for Grace"]');
    await item.waitFor({ timeout: 10_000 });
    await item.getByRole('button').click();
    const frame = page.locator('iframe[title="Message: [Test] Spring news for Grace"]');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await expect
      .poll(() => page.frameLocator('iframe[title^="Message:"]').locator('body').textContent())
      .toContain('Spring is here, Grace');
    await page.getByRole('button', { name: 'Plain text' }).click();
    expect(await page.locator('pre.mail-text').textContent()).toContain('Spring is here, Grace');
    await checkA11y(page, 'mail');
    await b.shot(page, 'mail');
  });

  it('imports a CSV of 1,000 contacts: column mapping, a dry run with the bad rows, a background import with progress', async () => {
    const lines = ['E-mail,First name,Plan,Tags'];
    for (let i = 1; i <= 1000; i++) lines.push(`batch${i}@example.com,Person ${i},${i % 2 ? 'pro' : 'free'},batch`);
    lines.splice(4, 0, 'not-an-email,Broken,pro,batch'); // line 5
    lines.push(',No address,free,batch'); // line 1003
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, lines.join('\n') + '\n');

    await nav(page, 'Import');
    await page.getByRole('heading', { name: 'Recent imports' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByText('contacts.csv: 1,002 rows, 4 columns.').waitFor();
    // Guessed from the headers; the plan becomes an attribute.
    expect(await page.getByLabel('Where “E-mail” goes').inputValue()).toBe('email');
    expect(await page.getByLabel('Where “First name” goes').inputValue()).toBe('firstName');
    expect(await page.getByLabel('Where “Plan” goes').inputValue()).toBe('attributes.Plan');
    expect(await page.getByLabel('Where “Tags” goes').inputValue()).toBe('tags');
    await checkA11y(page, 'import-mapping');

    // They consented at a webinar: attested, they are subscribed to the newsletter (the fields are required once ticked).
    await page.getByLabel('These contacts already consented to the newsletter').check();
    expect(await page.getByRole('button', { name: 'Check the file (dry run)' }).isDisabled()).toBe(true);
    await page.getByLabel('Where they consented').fill('Spring webinar sign-up form');
    await page.getByLabel('When they consented').fill('2026-03-14');
    await checkA11y(page, 'import-consent');

    await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
    await page.getByRole('heading', { name: 'Check: 2 bad rows' }).waitFor();
    const bad = page.locator('[data-testid="import-report"] tbody tr');
    expect(await bad.count()).toBe(2);
    expect(await bad.nth(0).getAttribute('data-line')).toBe('5');
    expect(await bad.nth(1).getAttribute('data-line')).toBe('1003');
    expect(await bad.nth(0).textContent()).toContain('email');
    expect(await s.tdb.db.contact.count({ where: { email: { startsWith: 'batch' } } })).toBe(0);

    await page.getByRole('button', { name: 'Import 1,002 contacts' }).click();
    await page.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    await expect
      .poll(() => page.getByTestId('import-progress').textContent(), { timeout: 30_000, interval: 200 })
      .toContain('Done: 1,002 rows read (100%)');
    expect(await page.locator('[data-testid="import-report"] [data-summary="created"]').last().textContent()).toBe('1,000');
    expect(await page.locator('[data-testid="import-report"] [data-summary="subscribed"]').last().textContent()).toBe('1,000');
    expect(await s.tdb.db.contact.count({ where: { email: { startsWith: 'batch' }, tags: { has: 'batch' } } })).toBe(1000);
    const one = await s.tdb.db.contact.findUniqueOrThrow({ where: { email: 'batch7@example.com' } });
    expect(one).toMatchObject({ firstName: 'Person 7', attributes: { Plan: 'pro' }, subscriptions: { newsletter: 'subscribed' } });
    expect(
      await s.tdb.db.contact.count({
        where: { email: { startsWith: 'batch' }, subscriptions: { path: ['newsletter'], equals: 'subscribed' } },
      }),
    ).toBe(1000);
    // Each keeps the attestation: where, when, and who attested it (the signed-in user).
    expect(await s.tdb.db.contactConsent.findMany({ where: { contactId: one.id } })).toEqual([
      expect.objectContaining({
        source: 'Spring webinar sign-up form',
        obtainedAt: new Date('2026-03-14T00:00:00Z'),
        categories: ['newsletter'],
        attestedBy: 'admin@example.com',
      }),
    ]);
    expect(await s.tdb.db.contactConsent.count({ where: { source: 'Spring webinar sign-up form' } })).toBe(1000);
    await b.shot(page, 'import');
  });

  it('builds a segment with a live count and sample, and saves it', async () => {
    await nav(page, 'Segments');
    await page.getByLabel('Rule 1 field').selectOption('tags');
    await page.getByLabel('Rule 1 operator').selectOption('contains');
    await page.getByLabel('Rule 1 value').fill('batch');
    await expect.poll(() => page.getByTestId('segment-count').textContent(), { timeout: 10_000 }).toBe('1,000 contacts');
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Rule 2 field').selectOption('firstName');
    await page.getByLabel('Rule 2 operator').selectOption('eq');
    await page.getByLabel('Rule 2 value').fill('Person 9');
    await expect.poll(() => page.getByTestId('segment-count').textContent(), { timeout: 10_000 }).toBe('1 contact');
    expect(await page.getByRole('list', { name: 'Newest matching contacts' }).textContent()).toContain('batch9@example.com');
    await page.getByRole('button', { name: 'Remove rule 2' }).click();
    await expect.poll(() => page.getByTestId('segment-count').textContent(), { timeout: 10_000 }).toBe('1,000 contacts');
    expect(await page.getByRole('list', { name: 'Newest matching contacts' }).locator('li').count()).toBe(10);

    // The JSON tab holds the same condition; a wrong field is named.
    await page.getByRole('tab', { name: 'JSON' }).click();
    expect(JSON.parse(await page.getByLabel('Condition (JSON)').inputValue())).toEqual({ field: 'tags', op: 'contains', value: 'batch' });
    await page.getByLabel('Condition (JSON)').fill('{"field":"shoeSize","op":"eq","value":1}');
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 10_000 }).toContain('field');
    await page.getByLabel('Condition (JSON)').fill('{"field":"tags","op":"contains","value":"batch"}');
    await expect.poll(() => page.getByTestId('segment-count').textContent(), { timeout: 10_000 }).toBe('1,000 contacts');
    await checkA11y(page, 'segments');
    await page.getByLabel('Key').fill('batch');
    await page.getByLabel('Name').fill('The batch');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByText('Saved segment batch').waitFor();
    expect((await s.api('/v1/segments/batch')).body.segment.condition).toEqual({ field: 'tags', op: 'contains', value: 'batch' });
    await b.shot(page, 'segments');
  });

  it('sends a newsletter and watches its progress to the end, with results', async () => {
    // 300 of the 1,000 still subscribed to the newsletter (the import subscribed them all; 700 have since unsubscribed).
    await s.tdb.db.$executeRaw`UPDATE contacts SET subscriptions = '{"newsletter":"unsubscribed"}'
      WHERE email LIKE 'batch%' AND email !~ '^batch([1-9]|[1-9][0-9]|[12][0-9][0-9]|300)@'`;
    await nav(page, 'Newsletters');
    await page.getByRole('heading', { name: 'No newsletter sent yet' }).waitFor();
    await checkA11y(page, 'newsletters');
    await page.getByLabel('Name').fill('Spring news');
    await page.getByLabel('Template').selectOption('spring-news');
    await page.getByLabel('Segment').selectOption('batch');
    await expect
      .poll(() => page.getByTestId('audience').textContent(), { timeout: 10_000 })
      .toContain("300 of the segment's 1,000 contacts");
    await page.getByLabel('Per minute at most').fill('3000');
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByText('Sending “Spring news”').waitFor();
    const card = page.locator('li[data-newsletter="Spring news"]');
    const progress = card.getByTestId('progress-text');
    // The bar moves: seen part-way, then at the end.
    const seen = new Set<string>();
    await vi.waitFor(
      async () => {
        const t = (await progress.textContent()) ?? '';
        seen.add(t);
        expect(t).toContain('300 of 300 done (100%)');
      },
      { timeout: 60_000, interval: 150 },
    );
    expect([...seen].some((t) => /^\d{1,3} of 300 done \((\d|[1-9]\d)%\)/.test(t))).toBe(true);
    await expect.poll(() => card.locator('.badge').first().textContent(), { timeout: 15_000 }).toBe('completed');
    await expect.poll(() => card.getByTestId('results').textContent(), { timeout: 15_000 }).toContain('Sent300');
    expect(await s.sink.messages.filter((m) => m.parsed.subject === 'Spring news for Person 7').length).toBe(1);
    await b.shot(page, 'newsletters');
  });

  it('pauses, resumes and cancels a newsletter', async () => {
    await page.getByLabel('Name').fill('Slow news');
    await page.getByLabel('Template').selectOption('spring-news');
    await page.getByLabel('Segment').selectOption('batch');
    await page.getByLabel('Per minute at most').fill('6');
    await page.getByRole('button', { name: 'Send now' }).click();
    const card = page.locator('li[data-newsletter="Slow news"]');
    await card.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => card.locator('.badge').first().textContent(), { timeout: 20_000 }).toBe('paused');
    await card.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => card.locator('.badge').first().textContent(), { timeout: 20_000 }).toBe('sending');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => card.locator('.badge').first().textContent(), { timeout: 20_000 }).toBe('cancelled');
    const row = await s.tdb.db.broadcast.findFirstOrThrow({ where: { name: 'Slow news' } });
    expect(row.status).toBe('cancelled');
    expect(await s.tdb.db.broadcastRecipient.count({ where: { broadcastId: row.id, status: 'sent' } })).toBeLessThan(300);
  });

  it('schedules a newsletter for later: scheduled with the time until it starts, and cancelled before it', async () => {
    await page.getByLabel('Name').fill('Summer news');
    await page.getByLabel('Template').selectOption('spring-news');
    await page.getByLabel('Segment').selectOption('batch');
    await page.getByLabel('Send at a time').check();
    // Two hours ahead, in the browser's local time (the input's own format).
    const at = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 60 * 60 * 1000 + 30 * 60 * 1000);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    });
    await page.getByLabel('Send at (your local time)').fill(at);
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.getByText('Scheduled “Summer news” for').waitFor();
    const card = page.locator('li[data-newsletter="Summer news"]');
    await expect.poll(() => card.locator('.badge').first().textContent(), { timeout: 10_000 }).toBe('scheduled');
    expect(await card.getByTestId('scheduled').textContent()).toMatch(/\(in 2 h (28|29|30) min\)/);
    expect(await card.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    const row = await s.tdb.db.broadcast.findFirstOrThrow({ where: { name: 'Summer news' } });
    expect(row.sendAt!.getTime() - row.createdAt.getTime()).toBeGreaterThan(2 * 60 * 60 * 1000);
    await checkA11y(page, 'newsletters-scheduled');
    await b.shot(page, 'newsletters-scheduled');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => card.locator('.badge').first().textContent(), { timeout: 10_000 }).toBe('cancelled');
    expect(await s.tdb.db.broadcastRecipient.count({ where: { broadcastId: row.id } })).toBe(0);
  });

  it('lists the sales tasks a journey created, and marks one done', async () => {
    const callBack = {
      key: 'call_back',
      name: 'Call back',
      trigger: { type: 'api' },
      steps: [
        {
          id: 'call',
          type: 'create_task',
          owner: 'sales@example.com',
          due: '2d',
          reason: 'Call {{contact.firstName}} about the plan',
          notify: false,
        },
      ],
    };
    expect((await s.api('/v1/journeys/call_back', { method: 'PUT', body: callBack })).status).toBe(200);
    expect((await s.api('/v1/journeys/call_back/publish', { body: {} })).status).toBe(201);
    expect((await s.api('/v1/journeys/call_back/enrol', { body: { contact: { email: 'grace@example.com' } } })).status).toBe(202);
    await nav(page, 'Tasks');
    const row = page.locator('tr[data-task="Call Grace about the plan"]');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('sales@example.com');
    await checkA11y(page, 'tasks');
    await b.shot(page, 'tasks');
    await row.getByRole('button', { name: 'Mark “Call Grace about the plan” done' }).click();
    await page.getByText('Done: Call Grace about the plan').waitFor();
    await expect.poll(() => row.count()).toBe(0);
    expect(await s.tdb.db.salesTask.findFirstOrThrow({ where: { reason: 'Call Grace about the plan' } })).toMatchObject({ status: 'done' });
  });

  it('exports a contact as JSON and enrols them in a journey from their page', async () => {
    const grace = (await s.api('/v1/contacts/grace@example.com?by=email')).body.contact.id as string;
    await page.goto(`/contacts/${grace}`);
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    await checkA11y(page, 'contact');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export data (JSON)' }).click()]);
    expect(download.suggestedFilename()).toBe(`contact-${grace}.json`);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(exported.contact.email).toBe('grace@example.com');
    expect(exported.salesTasks).toEqual([expect.objectContaining({ reason: 'Call Grace about the plan', status: 'done' })]);

    await page.getByLabel('Enrol in a journey').selectOption('welcome');
    await page.getByRole('button', { name: 'Enrol' }).click();
    await page.getByText('Enrolled in welcome').waitFor();
    await vi.waitFor(async () => expect(await s.tdb.db.journeyRun.count({ where: { journeyKey: 'welcome', contactId: grace } })).toBe(1), {
      timeout: 20_000,
      interval: 200,
    });
  });

  it('lets a viewer look at the new pages but change nothing', async () => {
    const { context, page: v } = await b.signIn(base, 'vera@example.com', PW);
    await v.goto('/templates/spring-news');
    await v.getByRole('heading', { name: 'MJML' }).waitFor();
    expect(await v.getByText('read only').count()).toBe(1);
    // The preview renders for viewers too (it computes, stores nothing).
    await expect
      .poll(() => v.frameLocator('iframe[title="Email preview"]').locator('body').textContent(), { timeout: 10_000 })
      .toContain('Spring is here');
    for (const name of ['Save', 'Send test']) expect(await v.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    await v.goto('/newsletters');
    await v.locator('li[data-newsletter="Spring news"]').waitFor();
    expect(await v.getByRole('button', { name: /Send now|Pause|Resume|Cancel/ }).count()).toBe(0);
    await v.goto('/segments');
    await v.getByTestId('segment-count').waitFor();
    expect(await v.getByRole('button', { name: 'Save segment' }).count()).toBe(0);
    await v.goto('/import');
    await v.getByRole('heading', { name: 'Recent imports' }).waitFor();
    expect(await v.getByLabel('CSV file').count()).toBe(0);
    await v.goto('/tasks');
    await v.getByRole('heading', { name: 'Sales tasks' }).waitFor();
    expect(await v.getByRole('button', { name: /done/ }).count()).toBe(0);
    // From the page's own script, with its CSRF token: refused by the server.
    const ids = {
      task: (await s.tdb.db.salesTask.findFirstOrThrow()).id,
      newsletter: (await s.tdb.db.broadcast.findFirstOrThrow({ where: { name: 'Spring news' } })).id,
    };
    const statuses = await v.evaluate(async (ids) => {
      const { csrfToken } = (await (await fetch('/dashboard/api/session')).json()) as { csrfToken: string };
      const call = async (method: string, path: string, body?: unknown, type = 'application/json') =>
        (
          await fetch(`/dashboard/api${path}`, {
            method,
            headers: { 'x-csrf-token': csrfToken, 'content-type': type },
            body: typeof body === 'string' ? body : JSON.stringify(body ?? {}),
          })
        ).status;
      return {
        template: await call('PUT', '/v1/templates/spring-news', {
          name: 'x',
          category: 'newsletter',
          subject: 'x',
          mjml: '<mjml><mj-body></mj-body></mjml>',
        }),
        testSend: await call('POST', '/v1/templates/spring-news/test-send', { to: 'v@example.com' }),
        segment: await call('PUT', '/v1/segments/viewer', { name: 'x', condition: { field: 'tier', op: 'eq', value: 'x' } }),
        newsletter: await call('POST', '/v1/newsletters', { name: 'x', template: 'spring-news', segment: 'batch' }),
        cancel: await call('POST', `/v1/newsletters/${ids.newsletter}/cancel`),
        importCsv: await call('POST', '/v1/contacts/import', 'email\nv1@example.com\n', 'text/csv'),
        task: await call('POST', `/v1/tasks/${ids.task}/done`),
        preview: await call('POST', '/templates/spring-news/draft-preview', {
          name: 'x',
          category: 'newsletter',
          subject: 'x',
          mjml: '<mjml><mj-body><mj-section><mj-column><mj-text><a href="{{unsubscribeUrl}}">u</a></mj-text></mj-column></mj-section></mj-body></mjml>',
        }),
        segmentPreview: await call('POST', '/segments/preview', { condition: { field: 'tags', op: 'contains', value: 'batch' } }),
      };
    }, ids);
    expect(statuses).toEqual({
      template: 403,
      testSend: 403,
      segment: 403,
      newsletter: 403,
      cancel: 403,
      importCsv: 403,
      task: 403,
      preview: 200,
      segmentPreview: 200,
    });
    expect(await s.tdb.db.contact.count({ where: { email: 'v1@example.com' } })).toBe(0);
    await context.close();
  });

  it('reads on a phone', async () => {
    const { context, page: p } = await b.signIn(base, 'admin@example.com', PW, { width: 390, height: 844 });
    for (const path of ['/templates/spring-news', '/newsletters', '/segments', '/import', '/tasks', '/mail']) {
      await p.goto(path);
      await p.locator('main h1').waitFor();
      await p.waitForLoadState('networkidle');
      expect(await p.locator('html').evaluate((el) => el.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    await context.close();
  });

  it('has no critical accessibility violation on the pages visited', () => {
    expect(Object.keys(accessibility).length).toBeGreaterThanOrEqual(9);
    expect(Object.entries(accessibility).filter(([, v]) => v.length > 0)).toEqual([]);
  });
});
