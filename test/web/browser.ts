// Debian's Chromium driven by playwright-core, one browser per test file.
// `node scripts/setup.mjs test` installs it; here a missing browser fails loudly.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../../stack/tools';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = join(ROOT, '.test-data', 'screenshots');

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (own cookies), signed in as `email` through the login form. */
  signIn(
    base: string,
    email: string,
    password: string,
    viewport?: { width: number; height: number },
  ): Promise<{ context: BrowserContext; page: Page }>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** playwright-core gives each launch a fresh, empty profile directory (its own --user-data-dir). */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: run \`node scripts/setup.mjs test\` (it installs Debian's chromium) or set CHROMIUM_PATH.`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  mkdirSync(SHOTS, { recursive: true });
  return {
    browser,
    async signIn(base, email, password, viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport, baseURL: base });
      const page = await context.newPage();
      await page.goto('/');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      return { context, page };
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
    },
    async close() {
      await browser.close();
    },
  };
}
