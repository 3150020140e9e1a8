/* eslint-disable @typescript-eslint/no-explicit-any -- axe results are read field by field */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { ensureUiBuilt } from '../../../scripts/ui-build.ts';

/**
 * Debian's chromium (scripts/test-prerequisites.txt installs it): Playwright's own browser download
 * needs the internet. CHROMIUM_PATH may point elsewhere.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One browser for a test file; a fresh context (cookies, storage) per scenario. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test-prerequisites.sh (it installs Debian's chromium, listed in scripts/test-prerequisites.txt)`);
  ensureUiBuilt();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

/** A page whose console errors, uncaught errors and CSP violations are collected to fail the scenario. */
export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Problems seen so far (console errors, page errors, CSP violations). */
  problems: string[];
  /** Console errors matching this are expected for the rest of the scenario (an api that is stopped on purpose). */
  allow(pattern: RegExp): void;
  /** Fails on collected problems and on serious or critical axe findings of the page as it is now. */
  check(label: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A 4xx answer of the api is a message the UI handles (a 401 before login, a 409 explained),
 * which Chromium still logs as "Failed to load resource": those are not problems. Anything
 * else the console calls an error is.
 */
function isHandledApiAnswer(message: ConsoleMessage): boolean {
  return /Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && /\/api\/v1\//.test(message.location().url ?? '');
}

export async function openPage(browser: Browser, baseUrl: string): Promise<UiPage> {
  const context = await browser.newContext({ baseURL: baseUrl, colorScheme: 'light', reducedMotion: 'reduce', viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error' || isHandledApiAnswer(message)) return;
    const text = `${message.text()} (${message.location().url ?? ''})`;
    if (allowed.some((pattern) => pattern.test(text))) return;
    problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`a script opened a ${dialog.type()} dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return {
    page,
    context,
    problems,
    allow: (pattern) => allowed.push(pattern),
    async check(label) {
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
      const serious = results.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical');
      const found = [
        ...problems.map((p) => `${label}: ${p}`),
        ...serious.map((v: any) => `${label}: axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(' | ')}`),
      ];
      if (found.length) throw new Error(found.join('\n'));
    },
    close: () => context.close(),
  };
}

/** Logs in through the login form with `key`, then waits for the page's frame. */
export async function logIn(ui: UiPage, key: string, path = '/ui/'): Promise<void> {
  await ui.page.goto(path);
  await ui.page.getByLabel('API key').fill(key);
  await ui.page.getByRole('button', { name: 'Log in' }).click();
  await ui.page.getByRole('button', { name: 'Log out' }).waitFor();
}

/**
 * `pnpm screenshots` (PK_SCREENSHOTS=<folder>): the scenarios save the README's screenshots as
 * they pass, so the pictures are of the UI as it is, on the real stack.
 */
export async function screenshot(ui: UiPage, name: string): Promise<void> {
  const folder = process.env.PK_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await ui.page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: true, animations: 'disabled' });
}
