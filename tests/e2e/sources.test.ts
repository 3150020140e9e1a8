/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { helmIndexYaml, startHelmRepo, type HelmRepoStandIn } from '../../apps/agent/test/helpers/helm-repo.ts';
import { pushImages, startDistributionRegistry, type DistributionRegistry } from '../../apps/agent/test/helpers/oci-registry.ts';
import { eventually, startStack, writeAgentConfig, type Stack } from '../support/stack.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Helm and OCI sources and the manual version path, end to end through real processes.

const REGISTRY_AUTH = { username: 'ci-reader', password: 'registry-e2e-password' };
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

let stack: Stack;
let helm: HelmRepoStandIn;
let registry: DistributionRegistry;
let receiver: WebhookReceiver;
let secret: string;

beforeAll(async () => {
  helm = await startHelmRepo();
  helm.files.set('/index.yaml', helmIndexYaml([
    { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0', created: daysAgo(200) },
    { name: 'podinfo', version: '6.6.0', appVersion: '6.6.0', created: daysAgo(100) },
    { name: 'podinfo', version: '6.7.0-rc.1', appVersion: '6.7.0-rc.1', created: daysAgo(20) },
    { name: 'podinfo', version: '6.7.0', appVersion: '6.7.0', created: daysAgo(10) },
    { name: 'redis', version: '18.1.0', appVersion: '7.2.3', created: daysAgo(30) },
  ], helm.url));
  registry = await startDistributionRegistry(REGISTRY_AUTH);
  await pushImages(registry, 'library/postgres', [
    { tag: '15.4-alpine', created: daysAgo(300) },
    { tag: '16.2-alpine', created: daysAgo(120) },
    { tag: '17.0-alpine', created: daysAgo(30) },
    { tag: '17.0-bookworm', created: daysAgo(30) },
    { tag: 'latest', created: daysAgo(30) },
  ]);
  receiver = await startWebhookReceiver();
  stack = await startStack();
  const agentKey = await stack.call('POST', '/api/v1/api-keys', { name: 'e2e agent', role: 'agent' });
  await stack.startAgent({
    AGENT_API_KEY: agentKey.body.key,
    AGENT_CONFIG: writeAgentConfig({ 'site-registry': { type: 'registry_basic', username: REGISTRY_AUTH.username, password: REGISTRY_AUTH.password, hosts: [new URL(registry.url).host] } }),
  });
  const channel = await stack.call('POST', '/api/v1/notification-channels', { name: 'hook', type: 'webhook', url: receiver.url });
  secret = channel.body.secret;
  await stack.call('POST', '/api/v1/notification-rules', { name: 'all', channelId: channel.body.id, events: ['created', 'escalated', 'resolved'], severities: ['moderate', 'high', 'critical'] });
});

afterAll(async () => {
  await stack?.stop();
  await Promise.all([helm?.close(), registry?.stop(), receiver?.close()]);
});

async function manualJob(name: string, version: string): Promise<string> {
  const job = await stack.call('POST', '/api/v1/scrape-jobs', { name, parser: 'manual' });
  expect(job.status).toBe(201);
  expect((await stack.call('PUT', `/api/v1/scrape-jobs/${job.body.id}/version`, { version })).status).toBeLessThan(300);
  return job.body.id;
}

async function webhookFor(configId: string, type: string) {
  return eventually(`${type} webhook for ${configId}`, async () =>
    receiver.received.find((w) => w.json?.type === type && w.json?.data?.alertConfig?.id === configId), 60_000);
}

describe('sources and the manual path, end to end', () => {
  it('a Helm chart: gathered from index.yaml, compared with a version entered by hand, alerted and delivered', async () => {
    const rule = await stack.call('POST', '/api/v1/rules', { name: 'one minor', type: 'minors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
    const gather = await stack.call('POST', '/api/v1/gather-jobs', { name: 'podinfo chart', sourceType: 'helm_repo', source: { repoUrl: helm.url, chart: 'podinfo' }, schedule: '0 */6 * * *' });
    expect(gather.status).toBe(201);
    const scrapeJobId = await manualJob('podinfo in staging', '6.5.0');
    const config = await stack.call('POST', '/api/v1/alert-configs', { name: 'podinfo lag', gatherJobId: gather.body.id, scrapeJobId, ruleId: rule.body.id });
    const created = await webhookFor(config.body.id, 'alert.created');
    expect(verifyStandardWebhook(secret, created.headers, created.body)).toBe(true);
    // 6.5 -> 6.7 is two minor lines (6.6, 6.7); the release candidate is ignored (stable only).
    expect(created.json.data.alert).toMatchObject({ deployedVersion: '6.5.0', latestVersion: '6.7.0', behindBy: 2, severity: 'high' });
    const releases = await stack.call('GET', `/api/v1/gather-jobs/${gather.body.id}/releases?limit=500`);
    expect(releases.body.items.map((r: any) => r.tag).sort()).toEqual(['6.5.0', '6.6.0', '6.7.0', '6.7.0-rc.1']);

    // Entered by hand again: the upgrade resolves the alert.
    expect((await stack.call('PUT', `/api/v1/scrape-jobs/${scrapeJobId}/version`, { version: '6.7.0' })).status).toBeLessThan(300);
    const resolved = await webhookFor(config.body.id, 'alert.resolved');
    expect(resolved.json.data.alert).toMatchObject({ status: 'resolved', deployedVersion: '6.7.0', behindBy: 0 });
  });

  it('an OCI repository behind basic auth: tags gathered with a registry credential, compared within the deployed variant', async () => {
    const rule = await stack.call('POST', '/api/v1/rules', { name: 'one major', type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
    const gather = await stack.call('POST', '/api/v1/gather-jobs', {
      name: 'postgres images', sourceType: 'oci_registry', source: { registryUrl: registry.url, repository: 'library/postgres' }, schedule: '0 */6 * * *', credentialName: 'site-registry',
    });
    expect(gather.status).toBe(201);
    const scrapeJobId = await manualJob('postgres in production', '15.4-alpine');
    const config = await stack.call('POST', '/api/v1/alert-configs', { name: 'postgres lag', gatherJobId: gather.body.id, scrapeJobId, ruleId: rule.body.id });
    const created = await webhookFor(config.body.id, 'alert.created');
    // Only -alpine tags are candidates: 17.0-alpine, not 17.0-bookworm nor latest.
    expect(created.json.data.alert).toMatchObject({ deployedVersion: '15.4-alpine', latestVersion: '17.0-alpine', behindBy: 2, severity: 'high' });
    const task = await stack.call('GET', `/api/v1/tasks?jobId=${gather.body.id}`);
    expect(task.body.items[0]).toMatchObject({ status: 'succeeded', credentialName: 'site-registry' });
  });

  it('a helm_sync job discovers the charts of a repository as gather jobs', async () => {
    const sync = await stack.call('POST', '/api/v1/helm-sync-jobs', { name: 'all charts', repoUrl: helm.url, schedule: '0 0 * * *' });
    expect(sync.status).toBe(201);
    const jobs = await eventually('gather jobs made by the sync', async () => {
      const answer = await stack.call('GET', '/api/v1/gather-jobs?limit=500');
      const made = answer.body.items.filter((j: any) => j.source?.repoUrl === helm.url && j.name !== 'podinfo chart');
      return made.length >= 2 ? made : undefined;
    });
    expect(jobs.map((j: any) => j.source.chart).sort()).toEqual(['podinfo', 'redis']);
  });

  it('never wrote the registry password or any key to a log', () => {
    const everything = [...stack.logs.values()].flat().join('\n');
    for (const value of [REGISTRY_AUTH.password, secret]) expect(everything).not.toContain(value);
  });
});
