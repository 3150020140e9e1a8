import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startGithubApi, type GithubApiStandIn, type GithubRelease } from '../../apps/agent/test/helpers/github-api.ts';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';
import { launchBrowser, logIn, openPage, screenshot, type UiPage } from './support/browser.ts';

// UI.md scenarios 3 to 7 and the inert rendering of upstream text, in one stack and one browser:
// an admin sets Planekeeper up through the UI alone (the README quickstart), then works the alert.

let stack: Stack;
let browser: Browser;
let github: GithubApiStandIn;
let receiver: FaultReceiver;
let base: string;
let admin: string;
let viewer: string;
let ui: UiPage;
let alertId: string;

function release(tag: string, day: number): GithubRelease {
  const date = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().replace('.000Z', 'Z');
  return { id: day, tag_name: tag, name: tag, draft: false, prerelease: false, created_at: date, published_at: date, html_url: `https://github.com/acme/widget/releases/tag/${tag}`, body: '' };
}

beforeAll(async () => {
  [stack, browser, github, receiver] = await Promise.all([startStack(), launchBrowser(), startGithubApi(), startFaultReceiver()]);
  await receiver.up();
  github.repos.set('acme/widget', [release('v3.1.0', 400), release('v3.0.0', 300), release('v2.0.0', 200), release('v1.0.0', 100)]);
  base = stack.api().url;
  const key = async (role: string) => (await stack.call('POST', '/api/v1/api-keys', { name: `ui ${role}`, role })).body.key as string;
  [admin, viewer] = [await key('admin'), await key('viewer')];
  await stack.startAgent('ui-agent', { AGENT_API_KEY: await key('agent') });
  ui = await openPage(browser, base);
  await logIn(ui, admin);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await browser?.close();
  await Promise.all([stack?.stop(), github?.close(), receiver?.close()]);
});

async function go(path: string, heading: string) {
  await ui.page.goto(path);
  await ui.page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('the web UI, as an admin works in it', () => {
  it('3: the README quickstart through the UI: the alert reaches the dashboard and the receiver gets alert.created', async () => {
    const { page } = ui;
    await go('/ui/rules', 'Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const ruleForm = page.getByRole('form', { name: 'New rule' });
    await ruleForm.getByLabel('Name').fill('majors behind');
    await ruleForm.getByLabel('Type').selectOption('majors_behind');
    await ruleForm.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Created majors behind.' }).waitFor();
    await ui.check('rules');

    await go('/ui/gather-jobs', 'Gather jobs');
    await page.getByRole('button', { name: 'New gather job' }).click();
    const gather = page.getByRole('form', { name: 'New gather job' });
    await gather.getByLabel('Name').fill('widget releases');
    await gather.getByLabel('Owner').fill('acme');
    await gather.getByLabel('Repository', { exact: true }).fill('widget');
    await gather.getByLabel('API base URL (GitHub Enterprise) (optional)').fill(github.url);
    await gather.getByRole('button', { name: 'Create gather job' }).click();
    await page.getByRole('status').filter({ hasText: 'Created widget releases.' }).waitFor();
    await ui.check('gather jobs');

    await go('/ui/scrape-jobs', 'Scrape jobs');
    await page.getByRole('button', { name: 'New scrape job' }).click();
    const scrape = page.getByRole('form', { name: 'New scrape job' });
    await scrape.getByLabel('Name').fill('widget in production');
    await scrape.getByRole('button', { name: 'Create scrape job' }).click();
    await page.getByRole('link', { name: 'widget in production' }).click();
    await page.getByRole('heading', { level: 1, name: 'widget in production' }).waitFor();
    await page.getByLabel('Deployed version').fill('v1.0.0');
    await page.getByRole('button', { name: 'Set version' }).click();
    await page.getByRole('status').filter({ hasText: 'Deployed version set to v1.0.0' }).waitFor();
    await ui.check('scrape job');

    await go('/ui/notifications?tab=channels', 'Notifications');
    const channel = page.getByRole('form', { name: 'New channel' });
    await channel.getByLabel('Name').fill('ops webhook');
    await channel.getByLabel('URL').fill(receiver.url);
    await channel.getByRole('button', { name: 'Create channel' }).click();
    expect(await page.getByTestId('shown-once').textContent()).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('link', { name: 'Rules' }).last().click();
    const rule = page.getByRole('form', { name: 'New notification rule' });
    await rule.getByLabel('Name').fill('everything');
    await rule.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('cell', { name: 'everything' }).waitFor();
    await ui.check('notifications');

    await eventually('the gather job to find its releases', async () => {
      const releases = await stack.call('GET', '/api/v1/alerts?limit=1');
      const jobs = await stack.call('GET', '/api/v1/gather-jobs');
      return releases.status === 200 && jobs.body.items[0]?.lastTask?.status === 'succeeded' ? true : undefined;
    }, 60_000);
    await go('/ui/alert-configs', 'Alert configs');
    await page.getByRole('button', { name: 'New alert config' }).click();
    const config = page.getByRole('form', { name: 'New alert config' });
    await config.getByLabel('Name').fill('widget prod');
    await config.getByRole('button', { name: 'Create alert config' }).click();
    await page.getByRole('status').filter({ hasText: 'Created widget prod' }).waitFor();

    await go('/ui/', 'Dashboard');
    const worst = page.getByRole('table', { name: 'The ten worst open alerts' });
    await worst.getByRole('link', { name: 'widget prod' }).waitFor({ timeout: 30_000 });
    expect(await worst.getByText('2 majors').count()).toBe(1);
    await ui.check('dashboard with an alert');
    await screenshot(ui, 'dashboard');
    const created = await eventually('alert.created at the receiver', async () => receiver.arrivals.find((a) => a.json?.type === 'alert.created'));
    alertId = created.json.data.alert.id;
    expect(created.json.data.alert).toMatchObject({ alertConfigName: 'widget prod', severity: 'high', deployedVersion: 'v1.0.0', latestVersion: 'v3.1.0' });
  });

  it('4: filters survive reload and back; the notification\'s deep link works through login', async () => {
    const { page } = ui;
    await go('/ui/alerts', 'Alerts');
    await page.getByLabel('Severity').selectOption('high');
    await page.waitForURL(/severity=high/);
    await page.getByLabel('Config name contains').fill('widget');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=widget/);
    await page.reload();
    expect(await page.getByLabel('Severity').inputValue()).toBe('high');
    expect(await page.getByLabel('Config name contains').inputValue()).toBe('widget');
    await page.getByRole('link', { name: 'widget prod' }).click();
    await page.getByRole('heading', { level: 1, name: 'widget prod' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    expect(page.url()).toMatch(/severity=high/);
    expect(await page.getByLabel('Severity').inputValue()).toBe('high');
    await ui.check('alerts filtered');

    // The link a notification carries (the notifier's PUBLIC_URL is the api's), opened logged out.
    const fresh = await openPage(browser, base);
    await fresh.page.goto(`/ui/alerts/${alertId}`);
    await fresh.page.getByLabel('API key').fill(viewer);
    await fresh.page.getByRole('button', { name: 'Log in' }).click();
    await fresh.page.getByRole('heading', { level: 1, name: 'widget prod' }).waitFor();
    expect(fresh.page.url()).toBe(`${base}/ui/alerts/${alertId}`);
    await fresh.check('deep link after login');
    await fresh.close();
  });

  it('5: acknowledge and unacknowledge; the timeline names the actor; a viewer sees no write buttons and a forced write is refused', async () => {
    const { page } = ui;
    await go(`/ui/alerts/${alertId}`, 'widget prod');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('button', { name: 'Unacknowledge' }).waitFor();
    const timeline = page.locator('.timeline');
    await timeline.getByText('acknowledged').first().waitFor();
    expect(await timeline.locator('li', { hasText: 'acknowledged' }).first().textContent()).toContain('by ui admin');
    await page.getByRole('button', { name: 'Unacknowledge' }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    await timeline.locator('li', { hasText: 'unacknowledged' }).waitFor();
    // The evaluation explains itself: family, variant, tags counted.
    const evaluation = page.getByTestId('evaluation');
    await evaluation.getByText('Tags counted').waitFor();
    expect(await evaluation.textContent()).toContain('Family');
    await ui.check('alert detail');
    await screenshot(ui, 'alert-detail');

    const looker = await openPage(browser, base);
    await logIn(looker, viewer, `/ui/alerts/${alertId}`);
    await looker.page.getByRole('heading', { level: 1, name: 'widget prod' }).waitFor();
    await looker.page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await looker.page.getByRole('button', { name: /Acknowledge/ }).count()).toBe(0);
    await looker.page.goto('/ui/rules');
    await looker.page.getByRole('heading', { level: 1, name: 'Rules' }).waitFor();
    expect(await looker.page.getByRole('button', { name: 'New rule' }).count()).toBe(0);
    const forced = await looker.page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/alerts/${id}/acknowledge`, { method: 'POST', headers: { 'X-Planekeeper-CSRF': '1' } });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    }, alertId);
    expect(forced.status).toBe(403);
    expect(forced.body.error.code).toBe('forbidden');
    expect((await stack.call('GET', `/api/v1/alerts/${alertId}`)).body.acknowledged).toBe(false);
    await looker.check('viewer');
    await looker.close();
  });

  it('renders upstream text inert: a release named <img src=x onerror=alert(1)> with a javascript: URL', async () => {
    const job = (await stack.call('GET', '/api/v1/gather-jobs')).body.items[0];
    await stack.db.insertInto('releases').values({
      organization_id: await stack.organizationId(), gather_job_id: job.id, tag: '<img src=x onerror=alert(1)>', url: 'javascript:alert(1)', published_at: new Date(), prerelease: false,
    }).execute();
    const { page } = ui;
    await go(`/ui/gather-jobs/${job.id}`, 'widget releases');
    const evil = page.getByRole('table', { name: 'Releases gathered' }).getByText('<img src=x onerror=alert(1)>');
    await evil.waitFor();
    expect(await evil.evaluate((node) => node.tagName)).toBe('SPAN');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    // The tester's regex runs against the tags as text too.
    await page.getByLabel('Tag filter to try').fill('^v3');
    await page.getByText('2 of 5 gathered tags match').waitFor();
    await ui.check('inert release');
  });

  it('6: setting the manual version to the latest resolves the alert', async () => {
    const { page } = ui;
    await go('/ui/scrape-jobs', 'Scrape jobs');
    await page.getByRole('link', { name: 'widget in production' }).click();
    await page.getByLabel('Deployed version').fill('v3.1.0');
    await page.getByRole('button', { name: 'Set version' }).click();
    await page.getByRole('status').filter({ hasText: 'Deployed version set to v3.1.0' }).waitFor();
    await eventually('the rules engine to resolve the alert', async () => ((await stack.call('GET', `/api/v1/alerts/${alertId}`)).body.status === 'resolved' ? true : undefined));
    await go(`/ui/alerts/${alertId}`, 'widget prod');
    await page.getByText('· resolved ·').waitFor();
    await go('/ui/', 'Dashboard');
    await page.getByText('No open alerts').waitFor();
    await ui.check('resolved');
  });

  it('7: Run now: releases appear; an upstream failure shows its error; a disabled job explains 409', async () => {
    const { page } = ui;
    github.repos.set('acme/gadget', [release('v0.2.0', 20), release('v0.1.0', 10)]);
    const make = async (name: string, repo: string, enabled: boolean) => (await stack.call('POST', '/api/v1/gather-jobs', { name, sourceType: 'github_release', source: { owner: 'acme', repo, baseUrl: github.url }, schedule: '0 0 1 1 *', enabled })).body.id as string;
    const gadget = await make('gadget releases', 'gadget', false);
    const missing = await make('missing releases', 'missing', true);

    await go(`/ui/gather-jobs/${gadget}`, 'gadget releases');
    await page.getByRole('button', { name: /Run now/ }).click();
    await page.getByRole('dialog', { name: 'Cannot run now' }).waitFor();
    expect(await page.getByRole('dialog').textContent()).toMatch(/disabled/i);
    await ui.check('409 dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await stack.call('PATCH', `/api/v1/gather-jobs/${gadget}`, { enabled: true });
    await eventually('the enabled job\'s first run to finish', async () => ((await stack.call('GET', `/api/v1/gather-jobs/${gadget}`)).body.lastTask?.status === 'succeeded' ? true : undefined), 60_000);
    github.repos.set('acme/gadget', [release('v0.3.0', 30), release('v0.2.0', 20), release('v0.1.0', 10)]);
    await page.reload();
    await page.getByRole('button', { name: /Run now/ }).click();
    await page.getByTestId('run-status').filter({ hasText: 'Task succeeded' }).waitFor({ timeout: 60_000 });
    await page.getByRole('table', { name: 'Releases gathered' }).getByText('v0.3.0').waitFor();

    await eventually('the failing job to fail', async () => ((await stack.call('GET', `/api/v1/gather-jobs/${missing}`)).body.lastTask?.status === 'failed' ? true : undefined), 60_000);
    await go(`/ui/gather-jobs/${missing}`, 'missing releases');
    const lastTask = page.getByTestId('last-task');
    expect(await lastTask.textContent()).toBe('failed: GitHub repository acme/missing not found (or not visible to this token)');
    await ui.check('failed job');
  });
});
