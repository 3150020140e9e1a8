import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { BOOTSTRAP_KEY, startStack, type Stack } from '../support/stack.ts';
import { launchBrowser, logIn, openPage } from './support/browser.ts';

// UI.md scenarios 1, 2, 10 and 11: who may log in, where the key never goes, and keys and
// organizations managed through the UI. One stack and one browser for the file.

let stack: Stack;
let browser: Browser;
let base: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  base = stack.api().url;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function createKey(role: string, name: string, key = BOOTSTRAP_KEY): Promise<{ id: string; key: string }> {
  const created = await stack.call('POST', '/api/v1/api-keys', { name, role }, key);
  expect(created.status).toBe(201);
  return created.body;
}

describe('web UI sessions', () => {
  it('1: an admin login survives a reload; after logout calls get 401; the key is in no storage, readable cookie or log line', async () => {
    const admin = await createKey('admin', 'ui-admin');
    const ui = await openPage(browser, base);
    await logIn(ui, admin.key);
    await ui.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await ui.check('dashboard');
    // Dark colours pass the same contrast checks.
    await ui.page.emulateMedia({ colorScheme: 'dark' });
    await ui.check('dashboard, dark');
    await ui.page.emulateMedia({ colorScheme: 'light' });
    await ui.page.reload();
    await ui.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await ui.page.getByText('ui-admin (admin)').count()).toBe(1);

    const seen = await ui.page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
      url: location.href,
    }));
    for (const where of Object.values(seen)) expect(where).not.toContain(admin.key);
    const cookies = await ui.context.cookies();
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toEqual([{ name: 'pk_session', httpOnly: true, sameSite: 'Strict' }]);
    expect(cookies[0]!.value).not.toContain(admin.key);
    const me = await ui.page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(200);

    await ui.page.getByRole('button', { name: 'Log out' }).click();
    await ui.page.getByLabel('API key').waitFor();
    // The old cookie, replayed by hand, is refused: the session ended on the server.
    const replayed = await fetch(`${base}/api/v1/me`, { headers: { cookie: `pk_session=${cookies[0]!.value}` } });
    expect(replayed.status).toBe(401);
    expect(await ui.page.evaluate(async () => (await fetch('/api/v1/summary')).status)).toBe(401);
    await ui.check('after logout');
    for (const [service, lines] of stack.logs) {
      expect({ service, leaked: lines.filter((line) => line.includes(admin.key)) }).toEqual({ service, leaked: [] });
    }
    await ui.close();
  });

  it('2: agent keys and revoked keys cannot log in', async () => {
    const agent = await createKey('agent', 'ui-agent');
    const revoked = await createKey('member', 'ui-revoked');
    expect((await stack.call('DELETE', `/api/v1/api-keys/${revoked.id}`)).status).toBe(204);
    const ui = await openPage(browser, base);
    await ui.page.goto('/ui/');
    for (const [key, message] of [[agent.key, 'agent keys cannot log in'], [revoked.key, 'unknown or revoked'], ['pk_not_a_real_key_at_all_0000', 'unknown or revoked']] as const) {
      await ui.page.getByLabel('API key').fill(key);
      await ui.page.getByRole('button', { name: 'Log in' }).click();
      await ui.page.getByRole('alert').filter({ hasText: message }).waitFor();
      expect(await ui.page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
    }
    expect(await ui.context.cookies()).toEqual([]);
    await ui.check('refused logins');
    await ui.close();
  });

  it('10: a new key is shown once and copied; once revoked it cannot log in; revoking your own key logs you out', async () => {
    const admin = await createKey('admin', 'keys-admin');
    const ui = await openPage(browser, base);
    await logIn(ui, admin.key, '/ui/api-keys');
    const { page } = ui;
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    const form = page.getByRole('form', { name: 'New API key' });
    await form.getByLabel('Name').fill('copied key');
    await form.getByLabel('Role').selectOption('member');
    await form.getByRole('button', { name: 'Create key' }).click();
    const shown = (await page.getByTestId('shown-once').textContent())!;
    expect(shown).toMatch(/^pk_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
    await ui.check('key shown once');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByText(shown).count()).toBe(0);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))).not.toContain(shown);

    await page.getByRole('button', { name: 'Revoke copied key' }).click();
    await page.getByRole('dialog', { name: 'Revoke copied key?' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('row', { name: /copied key/ }).getByRole('button').waitFor({ state: 'detached' });
    const other = await openPage(browser, base);
    await other.page.goto('/ui/');
    await other.page.getByLabel('API key').fill(shown);
    await other.page.getByRole('button', { name: 'Log in' }).click();
    await other.page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
    await other.close();

    await page.getByRole('button', { name: 'Revoke keys-admin' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke keys-admin?' });
    expect(await dialog.textContent()).toContain('you will be logged out');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByLabel('API key').waitFor();
    await ui.check('logged out by revoking');
    await ui.close();
  });

  it('11: the bootstrap key creates an organization; other keys see no Organizations page', async () => {
    const ui = await openPage(browser, base);
    await logIn(ui, BOOTSTRAP_KEY);
    const { page } = ui;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Organizations' }).waitFor();
    await page.getByRole('form', { name: 'New organization' }).getByLabel('Name').fill('second org');
    await page.getByRole('button', { name: 'Create organization' }).click();
    const firstAdmin = (await page.getByTestId('shown-once').textContent())!;
    expect(firstAdmin).toMatch(/^pk_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'second org' }).waitFor();
    await ui.check('organizations');
    await ui.close();

    const newcomer = await openPage(browser, base);
    await logIn(newcomer, firstAdmin);
    expect(await newcomer.page.getByText('second org').count()).toBeGreaterThan(0);
    expect(await newcomer.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).count()).toBe(0);
    expect(await newcomer.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).count()).toBe(1);
    await newcomer.page.goto('/ui/organizations');
    await newcomer.page.getByText('Only the installation\'s bootstrap key manages organizations.').waitFor();
    await newcomer.check('organizations refused');
    await newcomer.close();
  });
});
