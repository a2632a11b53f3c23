// `npm run screenshots`: PNGs of the workspace's main pages, from a seeded demo
// on the real stack, into docs/screenshots/ (the README shows them).
//
// Everything runs on its own free ports and throw-away data, so it never meets
// an `npm start` or a test run: embedded PostgreSQL (a fresh data directory),
// the Temporal dev server (in memory), a mail sink, the server and the worker
// in this process. The demo is made through the public API as a shop would make
// it (sign-ups, purchases, an import with a consent attestation, a segment, a
// newsletter), then Debian's Chromium (playwright-core) signs in and takes the
// pictures at 1280 px, plus two at a phone's width.
//
//   npm run screenshots              all pages
//   npm run screenshots -- journeys  only the shots whose name contains "journeys"
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadEnv } from '../config/env';
import { migrate } from '../db/migrate';
import { seedShippedContent } from '../db/seed';
import { createDb, type Db } from '../lib/db';
import { createLogger } from '../lib/logger';
import { startServer, type RunningServer } from '../server/main';
import { freePort } from '../stack/net';
import { removeEmbeddedData, startEmbeddedPostgres } from '../stack/postgres';
import { startMailSink, type MailSink } from '../stack/smtp-sink';
import { startTemporalDevServer } from '../stack/temporal';
import { ROOT } from '../stack/tools';
import { createUser } from '../users/service';
import { startWorker, type RunningWorker } from '../worker/worker';

const OUT = join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const API_KEY = 'screenshots-api-key-0123456789';
const ADMIN = { email: 'maya@rapport.example', password: 'screenshots only 1' };
const DESKTOP = { width: 1280, height: 820 };
const PHONE = { width: 390, height: 844 };
const only = process.argv[2] ?? '';

const started = Date.now();
const say = (msg: string) => process.stdout.write(`[screenshots +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);

/** Polls `check` until it returns a value, or fails naming `what` after `ms`. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Reply {
  status: number;
  body: unknown;
}

/** A nested field of a JSON answer, as a string ('' when absent); the shapes are the API's (server/openapi.yaml). */
function field(body: unknown, ...path: string[]): string {
  let v = body;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

interface Demo {
  db: Db;
  server: RunningServer;
  sink: MailSink;
  api(path: string, body?: unknown, method?: string): Promise<Reply>;
}

function apiClient(base: string) {
  return async (path: string, body?: unknown, method?: string): Promise<Reply> => {
    const res = await fetch(`${base}${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text };
  };
}

async function must(r: Promise<Reply>, what: string): Promise<unknown> {
  const out = await r;
  if (out.status >= 300) throw new Error(`${what}: HTTP ${out.status} ${JSON.stringify(out.body)}`);
  return out.body;
}

const PEOPLE = [
  ['Ada', 'Lovelace', 'ada@example.com'],
  ['Grace', 'Hopper', 'grace@example.com'],
  ['Alan', 'Turing', 'alan@example.com'],
  ['Katherine', 'Johnson', 'katherine@example.com'],
  ['Edsger', 'Dijkstra', 'edsger@example.com'],
  ['Barbara', 'Liskov', 'barbara@example.com'],
  ['Donald', 'Knuth', 'donald@example.com'],
  ['Margaret', 'Hamilton', 'margaret@example.com'],
] as const;

/** The demo: contacts in flight in the shipped journeys, an approval and a task waiting, a newsletter sent with results. */
async function seed(d: Demo): Promise<void> {
  say('seeding: sign-ups, purchases, a demo request ...');
  for (const [firstName, lastName, email] of PEOPLE) {
    await must(
      d.api('/v1/events', { id: `signup-${email}`, type: 'signed_up', contact: { email, firstName, lastName, marketingConsent: true } }),
      'sign-up',
    );
  }
  // Purchases: two cross the silver tier (coupon + thank-you), one stays below.
  for (const [email, amount] of [
    ['grace@example.com', 180],
    ['alan@example.com', 240],
    ['katherine@example.com', 60],
  ] as const) {
    await must(
      d.api('/v1/events', { id: `order-${email}`, type: 'purchase', contact: { email }, properties: { orderId: `o-${email}`, amount } }),
      'purchase',
    );
  }
  // Buying intent: the nurture journey hands Edsger to sales (a task).
  await must(d.api('/v1/events', { id: 'demo-edsger', type: 'demo_requested', contact: { email: 'edsger@example.com' } }), 'demo request');

  // A reward above the approval threshold, waiting for a human.
  const vip = {
    key: 'vip_upgrade',
    name: 'VIP upgrade',
    description: 'A manager approves a VIP upgrade for a big customer.',
    trigger: { type: 'api' },
    steps: [
      {
        id: 'ask',
        type: 'approval',
        approver: 'rewards@rapport.example',
        subject: 'Make Grace Hopper a VIP?',
        deadline: '7d',
        onApprove: 'make_vip',
        onReject: null,
      },
      { id: 'make_vip', type: 'update_contact', setTier: 'vip' },
    ],
  };
  await must(d.api('/v1/journeys/vip_upgrade', vip, 'PUT'), 'vip journey');
  await must(d.api('/v1/journeys/vip_upgrade/publish', {}), 'vip publish');
  await must(d.api('/v1/journeys/vip_upgrade/enrol', { contact: { email: 'grace@example.com' } }), 'vip enrol');

  say('seeding: an import of 60 readers with an attestation of their consent ...');
  const csv = [
    'email,firstName,lastName,tags',
    ...Array.from({ length: 60 }, (_, i) => `reader${i + 1}@example.com,Reader,No ${i + 1},readers`),
  ];
  const form = new FormData();
  form.append(
    'consent',
    JSON.stringify({
      source: 'Spring webinar sign-up form',
      obtainedAt: '2026-03-14',
      categories: ['newsletter'],
      attestedBy: ADMIN.email,
    }),
  );
  form.append('file', new Blob([csv.join('\n') + '\n'], { type: 'text/csv' }), 'readers.csv');
  const imported = await fetch(`${d.server.url}/v1/contacts/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}` },
    body: form,
  });
  if (imported.status >= 300) throw new Error(`import: HTTP ${imported.status} ${await imported.text()}`);

  await must(
    d.api('/v1/segments/readers', { name: 'Webinar readers', condition: { field: 'tags', op: 'contains', value: 'readers' } }, 'PUT'),
    'segment',
  );
  say('seeding: a newsletter to the 60 readers, sent, with opens and clicks ...');
  const nl = await must(
    d.api('/v1/newsletters', { name: 'December news', template: 'newsletter', segment: 'readers', ratePerMinute: 6000 }),
    'newsletter',
  );
  const id = field(nl, 'newsletter', 'id');
  await until(
    'the newsletter to finish',
    async () => field((await d.api(`/v1/newsletters/${id}`)).body, 'newsletter', 'status') === 'completed',
    120_000,
  );
  // Readers open and click, through the links in the mail they got (the tracking routes).
  const mails = d.sink.messages.filter((m) => m.envelopeTo.some((t) => t.startsWith('reader')));
  for (const [i, m] of mails.entries()) {
    const html = typeof m.parsed.html === 'string' ? m.parsed.html : '';
    const links = [...html.matchAll(/(?:src|href)="([^"]+\/t\/(o|c)\/[^"]+)"/g)].map((x) => ({
      url: x[1]!.replace(/&amp;/g, '&'),
      kind: x[2],
    }));
    const open = links.find((l) => l.kind === 'o');
    const click = links.find((l) => l.kind === 'c');
    if (open && i % 3 !== 0) await fetch(open.url);
    if (click && i % 5 === 0) await fetch(click.url, { redirect: 'manual' });
  }
  // The next issue, scheduled for tomorrow morning.
  const tomorrow = new Date();
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  tomorrow.setUTCHours(9, 0, 0, 0);
  await must(
    d.api('/v1/newsletters', { name: 'January news', template: 'newsletter', segment: 'readers', sendAt: tomorrow.toISOString() }),
    'scheduled newsletter',
  );
  await must(
    d.api(
      '/v1/segments/vip-prospects',
      {
        name: 'Big spenders',
        condition: { field: 'lifetimeSpend', op: 'gte', value: 100 },
      },
      'PUT',
    ),
    'segment',
  );
  // What the pages show must have happened: runs waiting, the approval and the task written.
  await until('the approval', async () => (await d.db.approval.count({ where: { status: 'pending' } })) > 0);
  await until('the sales task', async () => (await d.db.salesTask.count()) > 0);
  await until('the silver rewards', async () => (await d.db.coupon.count()) >= 2);
}

/** A file for the import page: a header, good rows, one bad address. */
const LEADS = [
  'E-mail,First name,Last name,Company,Plan',
  'lin@fair.example,Lin,Chen,Chen & Co,pro',
  'omar@fair.example,Omar,Haddad,Haddad Foods,free',
  'not-an-address,Pat,Doe,,free',
  'sofia@fair.example,Sofia,Rossi,Rossi Design,pro',
  'ken@fair.example,Ken,Sato,,free',
].join('\n');

type Shot = { name: string; viewport?: { width: number; height: number }; take(page: Page, d: Demo): Promise<void> };

const SHOTS: Shot[] = [
  {
    name: 'journeys',
    async take(page) {
      await page.goto('/journeys');
      await page
        .locator('tr[data-journey="welcome"] td[data-col="in-flight"]')
        .filter({ hasText: /^[1-9]/ })
        .waitFor();
    },
  },
  {
    name: 'journey-graph',
    async take(page) {
      await page.goto('/journeys/spend_rewards');
      await page
        .locator('[data-node="silver_thanks"] [data-count="email"]')
        .filter({ hasText: /[1-9] sent/ })
        .waitFor();
    },
  },
  {
    name: 'journey-node',
    async take(page) {
      await page.goto('/journeys/welcome');
      const wait = page.locator('[data-node="wait_3_days"]');
      await wait
        .locator('[data-count="now"] b')
        .filter({ hasText: /^[1-9]/ })
        .waitFor();
      await wait.click();
      await page
        .locator('#panel-node')
        .getByRole('table', { name: 'Contacts waiting at wait_3_days' })
        .locator('tbody tr')
        .first()
        .waitFor();
    },
  },
  {
    name: 'journey-yaml',
    async take(page) {
      await page.goto('/journeys/nurture');
      await page.locator('[data-node="ideas"]').waitFor();
      await page.getByRole('tab', { name: /YAML/ }).click();
      await page.locator('.cm-content').waitFor();
    },
  },
  {
    name: 'journey-simulate',
    // Tall enough for the predicted path below the form.
    viewport: { width: 1280, height: 1180 },
    async take(page) {
      await page.goto('/journeys/nurture');
      await page.locator('[data-node="ideas"]').waitFor();
      await page.getByRole('tab', { name: 'Simulate' }).click();
      const sim = page.locator('#panel-simulate');
      await sim.getByLabel('Event 1 type').fill('demo_requested');
      await sim.getByLabel('After', { exact: true }).fill('5d');
      await sim.getByRole('button', { name: 'Simulate' }).click();
      const path = sim.getByRole('region', { name: 'Predicted path' });
      await path.waitFor();
      await page.locator('.jnode.is-simulated').first().waitFor();
    },
  },
  {
    name: 'template-editor',
    async take(page) {
      await page.goto('/templates/newsletter');
      await page.getByRole('heading', { name: 'MJML' }).waitFor();
      const frame = page.frameLocator('iframe[title="Email preview"]');
      await until('the preview', async () => ((await frame.locator('body').textContent()) ?? '').length > 20, 20_000);
    },
  },
  {
    name: 'contact',
    async take(page, d) {
      const grace = field((await d.api('/v1/contacts/grace@example.com?by=email')).body, 'contact', 'id');
      await page.goto(`/contacts/${grace}`);
      await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
      await page.getByRole('list', { name: 'Newest first' }).locator('li').nth(3).waitFor();
    },
  },
  {
    name: 'newsletters',
    async take(page) {
      await page.goto('/newsletters');
      const card = page.locator('li[data-newsletter="December news"]');
      await card.getByTestId('results').waitFor();
      await page.locator('li[data-newsletter="January news"]').getByTestId('scheduled').waitFor();
      await page.getByLabel('Name').fill('February news');
      await page.getByLabel('Template').selectOption('newsletter');
      await page.getByLabel('Segment').selectOption('readers');
      await page.getByTestId('audience').filter({ hasText: 'are subscribed' }).waitFor();
      await page.getByLabel('Send at a time').check();
      // Let the page scroll to the list: the composer's top is what the shot leaves out.
      await page.getByRole('heading', { name: 'Sent and sending' }).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    },
  },
  {
    name: 'segments',
    async take(page) {
      await page.goto('/segments');
      await page.getByLabel('Rule 1 field').selectOption('tags');
      await page.getByLabel('Rule 1 operator').selectOption('contains');
      await page.getByLabel('Rule 1 value').fill('readers');
      await page.getByTestId('segment-count').filter({ hasText: '60 contacts' }).waitFor();
    },
  },
  {
    name: 'import',
    async take(page) {
      await page.goto('/import');
      await page.getByRole('heading', { name: 'Recent imports' }).waitFor();
      await page.getByLabel('CSV file').setInputFiles({ name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(LEADS) });
      await page.getByLabel('These contacts already consented to the newsletter').check();
      await page.getByLabel('Where they consented').fill('Trade fair stand, badge scans');
      await page.getByLabel('When they consented').fill('2026-10-08');
      await page.getByRole('button', { name: 'Check the file (dry run)' }).click();
      await page.getByRole('heading', { name: /^Check:/ }).waitFor();
      await page.getByRole('heading', { name: '2. Columns' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    },
  },
  {
    name: 'approvals',
    async take(page) {
      await page.goto('/approvals');
      await page.locator('[data-approval="Make Grace Hopper a VIP?"]').waitFor();
    },
  },
  {
    name: 'tasks',
    async take(page) {
      await page.goto('/tasks');
      await page.locator('tr[data-task]').first().waitFor();
    },
  },
  {
    name: 'mail',
    async take(page) {
      await page.goto('/mail');
      const first = page.locator('li[data-mail]').first();
      await first.waitFor();
      await first.getByRole('button').click();
      await page.locator('iframe[title^="Message:"]').waitFor();
    },
  },
  {
    name: 'journey-phone',
    viewport: PHONE,
    async take(page) {
      await page.goto('/journeys/welcome');
      await page
        .locator('[data-node="wait_3_days"] [data-count="now"] b')
        .filter({ hasText: /^[1-9]/ })
        .waitFor();
    },
  },
  {
    name: 'journeys-phone',
    viewport: PHONE,
    async take(page) {
      await page.goto('/journeys');
      await page.locator('tr[data-journey="welcome"]').waitFor();
    },
  },
];

async function main() {
  const stops: [string, () => Promise<unknown>][] = [];
  const work = join(ROOT, '.test-data', `screenshots-${process.pid}`);
  const dataDir = join(work, 'postgres');
  const log = createLogger('screenshots', process.env.LOG_LEVEL ?? 'silent');
  let browser: Browser | null = null;
  try {
    say('starting PostgreSQL, Temporal and a mail sink on free ports ...');
    const [pg, temporal, sink] = await Promise.all([
      (async () => startEmbeddedPostgres({ dataDir, port: await freePort() }))(),
      (async () => startTemporalDevServer({ dbFile: null, port: await freePort(), uiPort: null }))(),
      startMailSink({ smtpPort: 0, httpPort: 0, dir: join(work, 'mail') }),
    ]);
    stops.push(['PostgreSQL', async () => (await pg.stop(), removeEmbeddedData(dataDir))]);
    stops.push(['Temporal', () => temporal.stop()]);
    stops.push(['mail sink', () => sink.close()]);
    await pg.createDatabase('rapport');
    const httpPort = await freePort();
    const raw: Record<string, string> = {
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      DATABASE_URL: pg.url('rapport'),
      DATABASE_POOL_SIZE: '5',
      TEMPORAL_ADDRESS: temporal.address,
      SMTP_URL: sink.smtpUrl,
      MAIL_SINK_URL: `http://127.0.0.1:${sink.httpPort}`,
      HTTP_PORT: String(httpPort),
      PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
      RAPPORT_API_KEYS: API_KEY,
      WEBHOOK_SECRETS: 'shop=whsec_screenshots_0123456789',
      LINK_SIGNING_SECRET: 'screenshots-link-secret-0123456789',
      OUTGOING_WEBHOOK_SECRET: 'screenshots-outgoing-secret-0123456789',
      DISPATCH_POLL_MS: '200',
      WORKER_METRICS_PORT: 'off',
    };
    await migrate(raw.DATABASE_URL!);
    const db = createDb(raw.DATABASE_URL!, 2);
    stops.push(['database', () => db.$disconnect()]);
    await seedShippedContent(db);
    await createUser(db, { email: ADMIN.email, role: 'admin', password: ADMIN.password });

    say('starting the server and the worker (the worker bundles the workflows) ...');
    const [server, worker]: [RunningServer, RunningWorker] = await Promise.all([
      startServer(loadEnv('server', raw), { log }),
      startWorker(loadEnv('worker', raw), { log }),
    ]);
    stops.push(['server', () => server.close()]);
    stops.push(['worker', () => worker.shutdown()]);
    const demo: Demo = { db, server, sink, api: apiClient(server.url) };
    await seed(demo);

    say(`taking screenshots with ${CHROMIUM} ...`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    mkdirSync(OUT, { recursive: true });
    const contexts = new Map<string, Page>();
    for (const shot of SHOTS.filter((s) => s.name.includes(only))) {
      const viewport = shot.viewport ?? DESKTOP;
      const key = `${viewport.width}x${viewport.height}`;
      let page = contexts.get(key);
      if (!page) {
        const context = await browser.newContext({ viewport, baseURL: server.url, deviceScaleFactor: 1, reducedMotion: 'reduce' });
        page = await context.newPage();
        await page.goto('/');
        await page.getByLabel('Email').fill(ADMIN.email);
        await page.getByLabel('Password').fill(ADMIN.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        contexts.set(key, page);
      }
      await shot.take(page, demo);
      await page.waitForLoadState('networkidle');
      const file = join(OUT, `${shot.name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      say(`  ${shot.name}.png (${viewport.width} px, ${Math.round(statSync(file).size / 1024)} KB)`);
    }
    say(`done: ${OUT}`);
  } finally {
    await browser?.close().catch(() => undefined);
    for (const [name, stop] of stops.reverse()) {
      await stop().catch((err: Error) => say(`could not stop the ${name}: ${err.message}`));
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`\nscreenshots failed: ${err.message}\n`);
    process.exit(1);
  },
);
