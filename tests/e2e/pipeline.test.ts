/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestRepository, type TestRepository } from '../../apps/agent/test/helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from '../../apps/agent/test/helpers/git-http-server.ts';
import { startGithubApi, type GithubApiStandIn, type GithubRelease } from '../../apps/agent/test/helpers/github-api.ts';
import { eventually, startStack, writeAgentConfig, type Stack } from '../support/stack.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

const GIT_TOKEN = 'ghp_e2e_deploy_repo_token';

function release(tag: string, daysAgo: number): GithubRelease {
  const date = new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return { id: Math.floor(Math.random() * 1e9), tag_name: tag, name: tag, draft: false, prerelease: false, created_at: date, published_at: date, html_url: `https://github.com/acme/widget/releases/tag/${tag}`, body: '' };
}

let stack: Stack;
let github: GithubApiStandIn;
let git: GitHttpServer;
let repo: TestRepository;
let receiver: WebhookReceiver;

beforeAll(async () => {
  github = await startGithubApi();
  github.repos.set('acme/widget', [release('v1.3.0', 40), release('v1.2.0', 80)]);
  const root = mkdtempSync(path.join(os.tmpdir(), 'pk-e2e-git-'));
  repo = createTestRepository(path.join(root, 'served', 'widget-deploy'));
  repo.commit({ 'deploy/values.yaml': 'image:\n  repository: acme/widget\n  tag: "1.2.0"\n' }, 'deploy 1.2.0');
  git = await startGitHttpServer(path.join(root, 'served'), GIT_TOKEN);
  receiver = await startWebhookReceiver();
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await Promise.all([github?.close(), git?.close(), receiver?.close()]);
});

describe('the whole pipeline, every app a real process', () => {
  let configId: string;
  let gatherJobId: string;
  let scrapeJobId: string;
  let secret: string;

  it('is configured through the API: rule, gather job, scrape job, alert config, webhook channel, notification rule', async () => {
    const { call } = stack;
    const agentKey = await call('POST', '/api/v1/api-keys', { name: 'e2e agent', role: 'agent' });
    expect(agentKey.status).toBe(201);
    await stack.startAgent({
      AGENT_API_KEY: agentKey.body.key,
      AGENT_CONFIG: writeAgentConfig({ 'deploy-repo': { type: 'https_pat', token: GIT_TOKEN, hosts: [new URL(git.url).host] } }),
    });

    const rule = await call('POST', '/api/v1/rules', { name: 'two minors behind', type: 'minors_behind', moderate: 2, high: 4, critical: 6, stableOnly: true });
    expect(rule.status).toBe(201);
    const gather = await call('POST', '/api/v1/gather-jobs', {
      name: 'widget releases', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url }, schedule: '0 */6 * * *',
    });
    expect(gather.status).toBe(201);
    gatherJobId = gather.body.id;
    const scrape = await call('POST', '/api/v1/scrape-jobs', {
      name: 'widget in production', repoUrl: `${git.url}/widget-deploy`, ref: 'main', filePath: 'deploy/values.yaml',
      parser: 'yq', expression: '.image.tag', credentialName: 'deploy-repo', schedule: '*/30 * * * *',
    });
    expect(scrape.status).toBe(201);
    scrapeJobId = scrape.body.id;
    const channel = await call('POST', '/api/v1/notification-channels', { name: 'ops webhook', type: 'webhook', url: receiver.url });
    expect(channel.status).toBe(201);
    secret = channel.body.secret;
    expect(secret).toMatch(/^whsec_/);
    const notificationRule = await call('POST', '/api/v1/notification-rules', {
      name: 'everything', channelId: channel.body.id, events: ['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved'], severities: ['moderate', 'high', 'critical'],
    });
    expect(notificationRule.status).toBe(201);
    const config = await call('POST', '/api/v1/alert-configs', { name: 'widget lag', gatherJobId, scrapeJobId, ruleId: rule.body.id });
    expect(config.status).toBe(201);
    configId = config.body.id;
  });

  it('gathers and scrapes on its own, and evaluates: one minor behind is no alert yet', async () => {
    const evaluation = await eventually('a first evaluation with both versions', async () => {
      const answer = await stack.call('GET', `/api/v1/evaluations?alertConfigId=${configId}`);
      const item = answer.body?.items?.[0];
      return item?.status === 'ok' && item.latestVersion === 'v1.3.0' ? item : undefined;
    }, 60_000);
    expect(evaluation).toMatchObject({ deployedVersion: '1.2.0', latestVersion: 'v1.3.0', behindBy: 1, severity: null });
    expect((await stack.call('GET', `/api/v1/alerts?alertConfigId=${configId}`)).body.items).toEqual([]);
  });

  it('opens an alert when new releases appear upstream, and delivers a signed webhook', async () => {
    github.repos.set('acme/widget', [release('v1.5.0', 1), release('v1.4.0', 10), ...github.repos.get('acme/widget')!]);
    expect((await stack.call('POST', `/api/v1/gather-jobs/${gatherJobId}/run`)).status).toBeLessThan(300);
    const webhook = await eventually('the alert.created webhook', async () => receiver.received.find((w) => w.json?.type === 'alert.created'));
    expect(verifyStandardWebhook(secret, webhook.headers, webhook.body)).toBe(true);
    expect(webhook.json.data.alertConfig).toEqual({ id: configId, name: 'widget lag' });
    expect(webhook.json.data.alert).toMatchObject({ status: 'open', severity: 'moderate', deployedVersion: '1.2.0', latestVersion: 'v1.5.0', behindBy: 3 });
    const alerts = await stack.call('GET', `/api/v1/alerts?alertConfigId=${configId}&status=open`);
    expect(alerts.body.items).toHaveLength(1);
  });

  it('resolves the alert when the deployed file is upgraded, and says so', async () => {
    repo.commit({ 'deploy/values.yaml': 'image:\n  repository: acme/widget\n  tag: "1.5.0"\n' }, 'deploy 1.5.0');
    expect((await stack.call('POST', `/api/v1/scrape-jobs/${scrapeJobId}/run`)).status).toBeLessThan(300);
    const webhook = await eventually('the alert.resolved webhook', async () => receiver.received.find((w) => w.json?.type === 'alert.resolved'));
    expect(verifyStandardWebhook(secret, webhook.headers, webhook.body)).toBe(true);
    expect(webhook.json.data.alert).toMatchObject({ status: 'resolved', severity: 'moderate', deployedVersion: '1.5.0' });
    const created = receiver.received.find((w) => w.json?.type === 'alert.created')!;
    expect(webhook.headers['webhook-id']).not.toBe(created.headers['webhook-id']);
    const snapshots = await stack.call('GET', `/api/v1/scrape-jobs/${scrapeJobId}/snapshots`);
    expect(snapshots.body.items.map((s: any) => s.version)).toEqual(['1.5.0', '1.2.0']);
  });

  it('never wrote a secret to any log', () => {
    const everything = [...stack.logs.values()].flat().join('\n');
    for (const value of [secret, GIT_TOKEN, receiver.url, 'pk_e2e_bootstrap_admin_key_0123456789']) expect(everything).not.toContain(value);
  });
});
