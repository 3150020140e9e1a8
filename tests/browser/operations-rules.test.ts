/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { createProtocolAgent, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';
import { launchBrowser, logIn, openPage, screenshot, type UiPage } from './support/browser.ts';

// Issue 19 in the web UI, on one stack and one browser: an alert snoozed through the dialog and
// unsnoozed, a release skipped through the alert config form lowering the alert, and the
// upstreams page over five deployments. An agent (speaking the real protocol) reports the gather
// jobs' releases; deployed versions are entered by hand through the api.

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;
const NOW = Date.now();

let stack: Stack;
let browser: Browser;
let agent: ProtocolAgent;
let ui: UiPage;
let widgetConfigId: string;

async function created(route: string, body: unknown): Promise<any> {
  const answer = await stack.call('POST', route, body);
  if (answer.status !== 201) throw new Error(`POST ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Creates a gather job, answers its task with `releases`, and waits until they are ingested. */
async function gatheredJob(body: Record<string, unknown>, releases: unknown[]): Promise<string> {
  const job = await created('/api/v1/gather-jobs', { schedule: '0 0 1 1 *', ...body });
  await eventually(`the gather task of ${String(body.name)}`, async () => {
    for (const task of await agent.claim(5, 1)) {
      if (task.jobId !== job.id) throw new Error(`a task of another job: ${task.jobId}`);
      const answer = await agent.result(task.id, task.leaseToken, { releases });
      if (answer.status !== 202) throw new Error(`result: ${answer.status}`);
    }
    const listed = await stack.call('GET', `/api/v1/gather-jobs/${job.id}/releases?limit=500`);
    return listed.body.items.length === releases.length ? true : undefined;
  });
  return job.id;
}

function gathered(name: string, releases: Record<string, number>): Promise<string> {
  const reported = Object.entries(releases).map(([tag, at]) => ({ tag, publishedAt: new Date(at).toISOString(), prerelease: false, url: `https://example.test/${tag}` }));
  return gatheredJob({ name, sourceType: 'github_release', source: { owner: 'ops', repo: name } }, reported);
}

async function deployed(name: string, version: string): Promise<string> {
  const job = await created('/api/v1/scrape-jobs', { name, parser: 'manual' });
  const answer = await stack.call('PUT', `/api/v1/scrape-jobs/${job.id}/version`, { version });
  if (answer.status >= 300) throw new Error(`version: ${answer.status}`);
  return job.id;
}

const dateIn = (days: number) => new Date(NOW + days * DAY_MS).toISOString().slice(0, 10);

function cycle(name: string, latestVersion: string, eolDate: string) {
  return {
    tag: latestVersion, publishedAt: new Date(NOW - 30 * DAY_MS).toISOString(), prerelease: false, url: `https://endoflife.date/postgresql#${name}`,
    cycle: { name, label: name, releaseDate: dateIn(-400), latestVersion, latestDate: dateIn(-30), lts: false, supportEnds: null, supportEnded: false, eolDate, eol: false, extendedSupportEnds: null, maintained: true },
  };
}

async function openAlertOf(alertConfigId: string): Promise<any> {
  return (await stack.call('GET', `/api/v1/alerts?status=open&alertConfigId=${alertConfigId}`)).body.items[0];
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  const key = async (name: string, role: string) => (await stack.call('POST', '/api/v1/api-keys', { name, role })).body.key as string;
  agent = createProtocolAgent({ apiUrl: stack.api().url, key: await key('rules agent', 'agent'), name: 'rules-agent', capabilities: ['gather'] });
  const admin = await key('rules admin', 'admin');
  ui = await openPage(browser, stack.api().url);
  await logIn(ui, admin);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await browser?.close();
  await stack?.stop();
});

describe('issue 19 in the web UI', () => {
  it('an alert is snoozed through the dialog (API errors inline), shown with who, until and why, then unsnoozed', async () => {
    const { page } = ui;
    const gatherJobId = await gathered('widget', { 'v1.2.0': NOW - 2 * YEAR_MS, 'v1.3.0': NOW - YEAR_MS, 'v1.4.0': NOW });
    const rule = await created('/api/v1/rules', { name: 'minors', type: 'minors_behind', moderate: 1, high: 2, critical: 3 });
    const config = await created('/api/v1/alert-configs', { name: 'widget prod', gatherJobId, scrapeJobId: await deployed('widget prod', '1.2.0'), ruleId: rule.id });
    widgetConfigId = config.id;
    const alert = await eventually('the alert', () => openAlertOf(config.id));
    expect(alert).toMatchObject({ severity: 'high', latestVersion: 'v1.4.0' });

    await page.goto(`/ui/alerts/${alert.id}`);
    await page.getByRole('heading', { level: 1, name: 'widget prod' }).waitFor();
    await page.getByTestId('evaluation').getByText('2 years between the deployed release and the latest').waitFor();
    await page.getByRole('button', { name: 'Snooze…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Snooze alert' });
    const until = dialog.getByLabel('Until (your local time)');
    await until.fill(`${new Date(NOW).getFullYear() + 3}-01-01T10:00`);
    await dialog.getByRole('button', { name: 'Snooze', exact: true }).click();
    await eventually('the api\'s error on the until field', async () => ((await until.getAttribute('aria-invalid')) === 'true' ? true : undefined));
    const describedBy = (await until.getAttribute('aria-describedby'))!.split(' ')[0]!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/year/);
    await ui.check('snooze dialog with an inline error');

    await dialog.getByLabel('the latest version changes').check();
    await dialog.getByLabel('Reason (optional)').fill('<b>waiting</b> for 1.5');
    await dialog.getByRole('button', { name: 'Snooze', exact: true }).click();
    const shown = page.getByTestId('snooze');
    await shown.waitFor();
    expect(await shown.textContent()).toMatch(/^by rules admin .*, until the latest version changes from v1\.4\.0; reason: <b>waiting<\/b> for 1\.5$/);
    expect(await dialog.isVisible()).toBe(false);
    expect((await openAlertOf(config.id)).snooze).toMatchObject({ snoozedBy: 'rules admin', untilLatestChanges: true, reason: '<b>waiting</b> for 1.5' });
    await page.getByRole('listitem').filter({ hasText: 'snoozed' }).filter({ hasText: 'by rules admin' }).waitFor();
    await ui.check('snoozed alert');
    await screenshot(ui, 'alert-snoozed');

    await page.getByRole('button', { name: 'Unsnooze' }).click();
    await page.getByRole('button', { name: 'Snooze…' }).waitFor();
    expect(await shown.count()).toBe(0);
    await page.getByRole('listitem').filter({ hasText: 'unsnoozed' }).waitFor();
    expect((await openAlertOf(config.id)).snooze ?? null).toBeNull();
  });

  it('a release skipped through the alert config form lowers the alert; a bad range shows on its row', async () => {
    const { page } = ui;
    await page.goto('/ui/alert-configs');
    await page.getByRole('button', { name: 'Edit widget prod' }).click();
    const form = page.getByRole('form', { name: 'Edit widget prod' });
    await form.getByRole('button', { name: 'Add a skipped release' }).click();
    const versions = form.getByLabel('Versions to skip, row 1');
    await versions.fill('>=1.4 <two');
    await form.getByRole('button', { name: 'Save alert config' }).click();
    await eventually('the api\'s error on the row', async () => ((await versions.getAttribute('aria-invalid')) === 'true' ? true : undefined));
    await ui.check('skip list with an error');

    await versions.fill('1.4.0');
    await form.getByLabel('Reason, row 1').fill('breaks the widget API');
    await form.getByRole('button', { name: 'Save alert config' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved widget prod' }).waitFor();
    await page.getByRole('row', { name: /widget prod/ }).getByText('1.4.0', { exact: true }).waitFor();
    const lowered = await eventually('the alert lowered', async () => {
      const open = await openAlertOf(widgetConfigId);
      return open?.latestVersion === 'v1.3.0' ? open : undefined;
    });
    expect(lowered).toMatchObject({ severity: 'moderate', behindBy: 1 });

    await page.goto(`/ui/alerts/${lowered.id}`);
    const evaluation = page.getByTestId('evaluation');
    const skipped = evaluation.getByTestId('skipped-releases').getByRole('listitem');
    await skipped.first().waitFor();
    expect(await skipped.allTextContents()).toEqual(['v1.4.0 (1.4.0): breaks the widget API']);
    await page.locator('.lede').getByText('moderate').waitFor();
    await ui.check('skipped release shown');
  });

  it('the rule form takes eol (days left, downwards) and libyear (years, fractions) thresholds', async () => {
    const { page } = ui;
    await page.goto('/ui/rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('end of life');
    await form.getByLabel('Type').selectOption('eol');
    await form.getByLabel('Moderate from').fill('30');
    await form.getByLabel('High from').fill('90');
    await form.getByRole('button', { name: 'Create rule' }).click();
    expect(await form.getByLabel('High from').getAttribute('aria-invalid')).toBe('true');
    await form.getByText('must be at most moderate (an eol rule counts days left)').waitFor();
    await form.getByLabel('Moderate from').fill('90');
    await form.getByLabel('High from').fill('30');
    await form.getByLabel('Critical from').fill('0');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Created end of life.' }).waitFor();

    await page.getByRole('button', { name: 'New rule' }).click();
    await form.getByLabel('Name').fill('libyears');
    await form.getByLabel('Type').selectOption('libyear');
    await form.getByLabel('Moderate from').fill('0.5');
    await form.getByLabel('High from').fill('1');
    await form.getByLabel('Critical from').fill('2.5');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('status').filter({ hasText: 'Created libyears.' }).waitFor();
    await page.getByRole('row', { name: /^libyears libyear 0\.5 \/ 1 \/ 2\.5 years/ }).waitFor();
    await page.getByRole('row', { name: /^end of life eol 90 \/ 30 \/ 0 days left/ }).waitFor();
    expect((await stack.call('GET', '/api/v1/rules?q=libyears')).body.items[0]).toMatchObject({ type: 'libyear', moderate: 0.5, high: 1, critical: 2.5 });
    await ui.check('rules of issue 19');
  });

  it('the upstreams page with five deployments shows five rows, the right counts and a spread bar with words', async () => {
    const { page } = ui;
    const cycles = await gatheredJob(
      { name: 'postgres cycles', sourceType: 'endoflife', source: { product: 'postgresql' } },
      [cycle('15', '15.3', dateIn(-10)), cycle('16', '16.4', dateIn(400)), cycle('17', '17.2', dateIn(900))],
    );
    const gatherJobId = await gathered('postgres', { 'v15.3.0': NOW - 3 * YEAR_MS, 'v16.4.0': NOW - YEAR_MS, 'v17.2.0': NOW });
    const rule = await created('/api/v1/rules', { name: 'postgres minors', type: 'minors_behind', moderate: 1, high: 2, critical: 3 });
    const sites = [['site-a', '17.2.0'], ['site-b', '17.2.0'], ['site-c', '16.4.0'], ['site-d', '15.3.0'], ['site-e', 'latest']] as const;
    const ids: string[] = [];
    for (const [site, version] of sites) {
      ids.push((await created('/api/v1/alert-configs', { name: `postgres ${site}`, gatherJobId, scrapeJobId: await deployed(`postgres ${site}`, version), ruleId: rule.id, eolGatherJobId: cycles })).id);
    }
    for (const id of ids) await eventually(`the evaluation of ${id}`, async () => (await stack.call('GET', `/api/v1/evaluations?alertConfigId=${id}`)).body.items[0]);

    await page.goto('/ui/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Upstreams' }).click();
    await page.getByRole('heading', { level: 1, name: 'Upstreams' }).waitFor();
    await page.getByRole('searchbox', { name: 'Upstream or alert config contains' }).fill('postgres');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/ui\/upstreams\?q=postgres$/);
    const row = page.getByRole('row', { name: /^postgres \(github release\)/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(1, 8)).toEqual(['v17.2.0', '5', '2', '2', '1', '1', '4']);
    const spread = row.getByRole('img', { name: '2 on latest, 2 behind, 1 unknown of 5 deployments; 1 past end of life' });
    expect(await spread.count()).toBe(1);
    expect(await spread.locator('span').allTextContents()).toEqual(['2', '2', '1']);
    await page.getByTestId('org-totals').getByText(/libyears across \d+ deployments/).waitFor();
    await ui.check('upstreams');
    await screenshot(ui, 'upstreams');

    await page.getByRole('combobox', { name: 'Deployments in state' }).selectOption('past_eol');
    await page.waitForURL(/status=past_eol/);
    await page.reload();
    await page.getByRole('row', { name: /^postgres \(github release\)/ }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Deployments in state' }).inputValue()).toBe('past_eol');
    expect(await page.getByRole('row', { name: /^widget/ }).count()).toBe(0);

    await page.getByRole('link', { name: 'postgres', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'postgres' }).waitFor();
    const table = page.getByRole('table', { name: 'Deployments of postgres' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(5);
    expect((await rows.nth(3).textContent())).toMatch(/postgres site-d.*15\.3\.0.*behind.*2 minors.*high.*cycle 15, end of life \d{4}-\d\d-\d\d, past it by 10 days/);
    expect(await rows.nth(4).textContent()).toMatch(/postgres site-e.*unknown/);
    await ui.check('one upstream');
  });
});
