import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';
import { launchBrowser, logIn, openPage, type UiPage } from './support/browser.ts';

// UI.md scenarios 8, 9 and 12: a dead letter replayed, an agent drained and uncordoned, bad input
// and an api that goes away, in one stack and one browser.

let stack: Stack;
let browser: Browser;
let receiver: FaultReceiver;
let base: string;
let ui: UiPage;

beforeAll(async () => {
  [stack, browser, receiver] = await Promise.all([
    startStack({ envFor: { notifier: { NOTIFIER_RETRY_LIMIT: '1' } } }),
    launchBrowser(),
    startFaultReceiver(),
  ]);
  await receiver.up();
  base = stack.api().url;
  const admin = (await stack.call('POST', '/api/v1/api-keys', { name: 'ops admin', role: 'admin' })).body.key as string;
  ui = await openPage(browser, base);
  await logIn(ui, admin);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await browser?.close();
  await Promise.all([stack?.stop(), receiver?.close()]);
});

describe('the web UI in operations', () => {
  it('8: a dead letter is replayed once the receiver works; the webhook-id is unchanged', async () => {
    const { page } = ui;
    receiver.mode = 503;
    const channel = await stack.call('POST', '/api/v1/notification-channels', { name: 'flaky hook', type: 'webhook', url: receiver.url });
    expect(channel.status).toBe(201);
    await page.goto('/ui/notifications?tab=channels');
    await page.getByRole('button', { name: 'Send test to flaky hook' }).click();
    await page.getByRole('status').filter({ hasText: 'Test message queued for flaky hook' }).waitFor();
    const dead = await eventually('the test delivery to be dead-lettered', async () => {
      const list = await stack.call('GET', '/api/v1/deliveries?status=dead');
      return list.body.items[0]?.id as string | undefined;
    }, 60_000);
    const refused = receiver.arrivals.length;
    expect(receiver.arrivals.every((a) => a.webhookId === dead)).toBe(true);

    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.getByRole('row', { name: new RegExp(dead) });
    await row.waitFor();
    await row.getByRole('button', { name: `Attempts of ${dead}` }).click();
    await row.getByText('503').first().waitFor();
    await ui.check('dead letters');
    receiver.mode = 204;
    await row.getByRole('button', { name: `Replay ${dead}` }).click();
    await page.getByRole('status').filter({ hasText: '1 delivery sent again.' }).waitFor();
    const delivered = await eventually('the replayed delivery to arrive', async () => receiver.arrivals.slice(refused).find((a) => a.answered === 204));
    expect(delivered.webhookId).toBe(dead);
    await eventually('the delivery to succeed', async () => ((await stack.call('GET', `/api/v1/deliveries/${dead}`)).body.status === 'succeeded' ? true : undefined));
    await page.reload();
    await page.getByText('No dead letters').waitFor();
  });

  it('9: drain an agent: its pending task shows why it waits; uncordon: the task is claimed', async () => {
    const { page } = ui;
    const agentKey = (await stack.call('POST', '/api/v1/api-keys', { name: 'ops agent', role: 'agent' })).body.key as string;
    await stack.startAgent('ops-agent', { AGENT_API_KEY: agentKey });
    await page.goto('/ui/agents');
    const row = page.getByRole('row', { name: /ops-agent/ });
    await row.getByText('online', { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Drain ops-agent' }).click();
    await page.getByRole('dialog', { name: 'Drain ops-agent?' }).getByRole('button', { name: 'Drain' }).click();
    await row.getByText('online, draining').waitFor();
    await ui.check('agents drained');

    const job = await stack.call('POST', '/api/v1/scrape-jobs', { name: 'waits for an agent', parser: 'regex', repoUrl: 'https://git.example.com/deploy.git', filePath: 'VERSION', expression: '(.*)', schedule: '0 0 1 1 *' });
    expect(job.status).toBe(201);
    await eventually('a pending task', async () => ((await stack.call('GET', `/api/v1/tasks?jobId=${job.body.id}`)).body.items[0]?.status === 'pending' ? true : undefined));
    await page.goto('/ui/scrape-jobs');
    const waiting = page.getByRole('row', { name: /waits for an agent/ }).getByText(/^waiting: /);
    await waiting.waitFor();
    await ui.check('why a task waits');
    await page.goto('/ui/');
    await page.getByRole('link', { name: '1 pending task(s) no online agent can take' }).waitFor();
    await page.getByRole('link', { name: '1 agent(s) draining' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    await page.getByRole('button', { name: 'Uncordon ops-agent' }).click();
    await page.getByRole('dialog', { name: 'Uncordon ops-agent?' }).getByRole('button', { name: 'Uncordon' }).click();
    await page.getByRole('row', { name: /ops-agent/ }).getByText('online', { exact: true }).waitFor();
    await eventually('the task to be claimed', async () => ((await stack.call('GET', `/api/v1/tasks?jobId=${job.body.id}`)).body.items[0]?.status !== 'pending' ? true : undefined), 30_000);
    await page.goto('/ui/');
    await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
    expect(await page.getByText('no online agent can take').count()).toBe(0);
  });

  it('12: a rule with moderate > high shows inline errors; with the api stopped a banner shows, the last data stays, and the page recovers without a reload', async () => {
    const { page } = ui;
    await page.goto('/ui/rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('upside down');
    await form.getByLabel('Moderate from').fill('5');
    await form.getByLabel('High from').fill('2');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const high = form.getByLabel('High from');
    expect(await high.getAttribute('aria-invalid')).toBe('true');
    const described = (await high.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${described.split(' ')[0]}"]`).textContent()).toBe('must be at least moderate');
    await ui.check('inline errors');
    expect((await stack.call('GET', '/api/v1/rules?q=upside')).body.items).toEqual([]);

    await page.goto('/ui/agents');
    await page.getByRole('row', { name: /ops-agent/ }).waitFor();
    ui.allow(/ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|Failed to fetch/);
    await stack.kill('api');
    const banner = page.getByRole('alert').filter({ hasText: 'cannot be reached' });
    await banner.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('row', { name: /ops-agent/ }).count()).toBe(1);
    await stack.start('api');
    await banner.waitFor({ state: 'hidden', timeout: 30_000 });
    expect(await page.getByRole('row', { name: /ops-agent/ }).count()).toBe(1);
    await ui.check('recovered');
  });
});
