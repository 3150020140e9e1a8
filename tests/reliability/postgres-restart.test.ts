import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, freePort, migrateToLatest, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@planekeeper/db';
import { startGithubApi, type GithubApiStandIn, type GithubRelease } from '../../apps/agent/test/helpers/github-api.ts';
import { startFaultReceiver, type FaultReceiver } from '../support/fault-receiver.ts';
import { eventually, SERVICES, startStack, waitReady, type Stack } from '../support/stack.ts';
import { verifyStandardWebhook } from '../support/webhook-receiver.ts';
import { alertConfig, manualScrapeJob, minorsRule, webhookChannel } from './scenario.ts';

// Postgres goes away under the running stack (api, taskengine, rules-engine, notifier and a real
// agent) and comes back on the same port and data folder. No service is restarted: each must
// reconnect on its own, and the whole pipeline must work afterwards. The Postgres is this test's
// own embedded instance on a free port, never the machine's shared one.

function release(tag: string, daysAgo: number): GithubRelease {
  const date = new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return { id: Math.floor(Math.random() * 1e9), tag_name: tag, name: tag, draft: false, prerelease: false, created_at: date, published_at: date, html_url: `https://github.com/acme/widget/releases/tag/${tag}`, body: '' };
}

let dataDir: string;
let port: number;
let postgres: EmbeddedPostgresHandle | undefined;
let stack: Stack;
let github: GithubApiStandIn;
let receiver: FaultReceiver;

const startPostgres = () => startEmbeddedPostgres({ dataDir, port, persistent: true, unsafeFast: true });

beforeAll(async () => {
  // Directly under the temp folder (not mkdtemp's 0700 folder): as root, the cluster runs as the postgres user.
  dataDir = path.join(os.tmpdir(), `pk-pg-restart-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  port = await freePort();
  expect(port).not.toBe(5432);
  postgres = await startPostgres();
  expect(postgres.owned).toBe(true);
  const migrations = createDatabase(postgres.url, { max: 1 });
  try {
    await migrateToLatest(migrations.db);
  } finally {
    await migrations.close();
  }
  github = await startGithubApi();
  github.repos.set('acme/widget', [release('v1.1.0', 20), release('v1.0.0', 60)]);
  receiver = await startFaultReceiver();
  stack = await startStack({ databaseUrl: postgres.url });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await postgres?.stop();
  await Promise.all([github?.close(), receiver?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('Postgres restarted under the running stack', () => {
  it('every service reconnects on its own (readyz back to 200, no process restarted) and the pipeline completes afterwards', async () => {
    const { call } = stack;
    const key = await call('POST', '/api/v1/api-keys', { name: 'site agent', role: 'agent' });
    expect(key.status).toBe(201);
    await stack.startAgent('pg-restart-agent', { AGENT_API_KEY: key.body.key });
    const { secret } = await webhookChannel(stack, 'ops webhook', receiver.url);
    const gather = await call('POST', '/api/v1/gather-jobs', { name: 'widget releases', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url }, schedule: '0 0 1 1 *' });
    expect(gather.status).toBe(201);
    const scrapeJobId = await manualScrapeJob(stack, 'widget deployed', '1.1.0');
    const configId = await alertConfig(stack, 'widget lag', gather.body.id, scrapeJobId, await minorsRule(stack));
    // Before the outage: gathered by the agent, evaluated, up to date (no alert).
    await eventually('a first evaluation', async () => {
      const item = (await call('GET', `/api/v1/evaluations?alertConfigId=${configId}`)).body?.items?.[0];
      return item?.status === 'ok' && item.latestVersion === 'v1.1.0' ? item : undefined;
    }, 30_000);
    const pids = new Map([...stack.apps].map(([name, app]) => [name, app.child.pid]));

    await postgres!.stop();
    const stoppedAt = Date.now();
    // Every service notices: readyz says not ready (its database check fails) ...
    await eventually('every service not ready', async () => {
      const states = await Promise.all(SERVICES.map((name) => fetch(`${stack.apps.get(name)!.url}/readyz`, { signal: AbortSignal.timeout(3000) }).then(async (r) => `${r.status} ${await r.text()}`, (error: unknown) => `${String(error)}${error instanceof Error && error.cause ? ` (${String(error.cause)})` : ''}`)));
      // Not yet: say what each answered, for the timeout's message.
      if (!states.every((state) => state.startsWith('503 '))) throw new Error(JSON.stringify(Object.fromEntries(SERVICES.map((name, i) => [name, states[i]]))));
      return true;
    }, 20_000);
    // ... for a while, during which they keep trying.
    await new Promise((r) => setTimeout(r, 6000));
    postgres = await startPostgres();
    const downMs = Date.now() - stoppedAt;

    const readyIn: Record<string, number> = {};
    for (const name of SERVICES) readyIn[name] = await waitReady(stack.apps.get(name)!.url, 30_000);
    for (const [name, app] of stack.apps) {
      expect([name, app.child.pid, app.child.exitCode, app.child.signalCode]).toEqual([name, pids.get(name), null, null]);
    }

    // The pipeline afterwards, end to end: a manual version -> evaluation -> alert -> signed webhook.
    const afterRestart = Date.now();
    expect((await call('PUT', `/api/v1/scrape-jobs/${scrapeJobId}/version`, { version: '1.0.0' })).status).toBeLessThan(300);
    const created = await eventually('the alert.created webhook', async () => receiver.arrivals.find((a) => a.json?.type === 'alert.created'), 40_000);
    const createdMs = Date.now() - afterRestart;
    expect(verifyStandardWebhook(secret, created.headers, created.body)).toBe(true);
    expect(created.json.data.alert).toMatchObject({ deployedVersion: '1.0.0', latestVersion: 'v1.1.0', behindBy: 1, severity: 'moderate' });

    // And the agent path: run now -> the agent (which lived through the outage) gathers -> ingested -> escalated.
    github.repos.set('acme/widget', [release('v1.4.0', 1), release('v1.3.0', 5), ...github.repos.get('acme/widget')!]);
    expect((await call('POST', `/api/v1/gather-jobs/${gather.body.id}/run`)).status).toBeLessThan(300);
    const escalated = await eventually('the alert.escalated webhook', async () => receiver.arrivals.find((a) => a.json?.type === 'alert.escalated'), 40_000);
    const escalatedMs = Date.now() - afterRestart;
    expect(escalated.json.data.alert).toMatchObject({ latestVersion: 'v1.4.0', behindBy: 3, severity: 'high' });
    expect(new Set(receiver.arrivals.map((a) => a.webhookId)).size).toBe(2);

    const samples = [...stack.logs].flatMap(([name, lines]) => lines.filter((l) => /"level":"(error|fatal)"/.test(l)).slice(0, 1).map((l) => `${name}: ${l.slice(0, 300)}`));
    const errors = Object.fromEntries([...stack.logs].map(([name, lines]) => [name, lines.filter((l) => /"level":"(error|fatal)"/.test(l)).length]));
    console.log(`[reliability] Postgres restarted: down ${downMs} ms; readyz back to 200 after restart in ms: ${JSON.stringify(readyIn)}; ` +
      `no process restarted; alert.created webhook ${createdMs} ms and agent gather -> alert.escalated ${escalatedMs} ms after; error log lines during the outage: ${JSON.stringify(errors)}\n  ${samples.join('\n  ')}`);
  }, 120_000);
});
