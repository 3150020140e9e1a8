/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kubernetesCycles, startEndoflifeApi, type EndoflifeStandIn } from '../../apps/agent/test/helpers/endoflife-api.ts';
import { makeTags, startGithubApi, type GithubApiStandIn } from '../../apps/agent/test/helpers/github-api.ts';
import { makeGitlabReleases, startGitlabApi, type GitlabApiStandIn } from '../../apps/agent/test/helpers/gitlab-api.ts';
import { helmReleaseSecret, startKubeApi, type KubeApiStandIn } from '../../apps/agent/test/helpers/kube-api.ts';
import { eventually, startStack, writeAgentConfig, type Stack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// The sources of issue 18 end to end, through real processes: the version running in a cluster
// (a Deployment's image, a Helm release's records) read by an agent from a Kubernetes API
// stand-in, compared with GitHub tags, GitLab releases and endoflife.date cycles.

let stack: Stack;
let kube: KubeApiStandIn;
let github: GithubApiStandIn;
let gitlab: GitlabApiStandIn;
let eol: EndoflifeStandIn;
let receiver: WebhookReceiver;
let ruleId: string;

beforeAll(async () => {
  [kube, github, gitlab, eol, receiver] = await Promise.all([startKubeApi(), startGithubApi(), startGitlabApi(), startEndoflifeApi(), startWebhookReceiver()]);
  github.tags.set('nginx/nginx', makeTags('nginx', 'nginx', ['1.27.0', '1.26.2', '1.26.0', '1.25.3', '1.24.0'], github.commits));
  gitlab.projects.set('jetstack/cert-manager', makeGitlabReleases('jetstack/cert-manager', ['v1.17.0', 'v1.16.2', 'v1.15.3', 'v1.14.4']));
  gitlab.privateProjects.add('jetstack/cert-manager');
  eol.products.set('kubernetes', kubernetesCycles());
  kube.workloads.push({ kind: 'Deployment', namespace: 'web', name: 'nginx', labels: { app: 'nginx' }, containers: [{ name: 'nginx', image: 'docker.io/library/nginx:1.25.3' }] });
  kube.secrets.push(
    helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision: 2, status: 'superseded', chart: 'cert-manager', chartVersion: 'v1.14.4', appVersion: 'v1.14.4' }),
    helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision: 3, status: 'deployed', chart: 'cert-manager', chartVersion: 'v1.15.3', appVersion: 'v1.15.3' }),
  );

  stack = await startStack();
  const agentKey = await stack.call('POST', '/api/v1/api-keys', { name: 'cluster agent', role: 'agent' });
  await stack.startAgent('cluster-agent', {
    AGENT_API_KEY: agentKey.body.key,
    AGENT_CONFIG: writeAgentConfig({ 'gitlab-token': { type: 'https_pat', token: gitlab.token, hosts: [new URL(gitlab.url).host] } }),
    AGENT_KUBE_NAMESPACES: 'web,cert-manager',
    AGENT_KUBECONFIG: kube.writeKubeconfig(),
    AGENT_KUBE_CLUSTER: 'prod-eu',
  });
  const channel = await stack.call('POST', '/api/v1/notification-channels', { name: 'hook', type: 'webhook', url: receiver.url });
  await stack.call('POST', '/api/v1/notification-rules', { name: 'all', channelId: channel.body.id, events: ['created', 'escalated', 'resolved'], severities: ['moderate', 'high', 'critical'] });
  const rule = await stack.call('POST', '/api/v1/rules', { name: 'one minor', type: 'minors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true });
  ruleId = rule.body.id;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([kube?.close(), github?.close(), gitlab?.close(), eol?.close(), receiver?.close()]);
});

async function created(route: string, body: unknown): Promise<any> {
  const answer = await stack.call('POST', route, body);
  expect(answer.status).toBe(201);
  return answer.body;
}

async function webhookFor(configId: string, type: string) {
  return eventually(`${type} webhook for ${configId}`, async () => receiver.received.find((w) => w.json?.type === type && w.json?.data?.alertConfig?.id === configId), 60_000);
}

describe('versions from the cluster, upstreams from tags, GitLab and endoflife.date', () => {
  it("a Deployment's image tag against a GitHub repository with only tags: alerted, then resolved by the rollout", async () => {
    const gather = await created('/api/v1/gather-jobs', { name: 'nginx tags', sourceType: 'github_tag', source: { owner: 'nginx', repo: 'nginx', baseUrl: github.url }, schedule: '0 */6 * * *' });
    const scrape = await created('/api/v1/scrape-jobs', {
      name: 'nginx in prod-eu', parser: 'kubernetes', kubernetes: { namespace: 'web', selector: 'app=nginx', kinds: ['Deployment'] }, schedule: '0 * * * *', credentialName: 'prod-eu',
    });
    const config = await created('/api/v1/alert-configs', { name: 'nginx lag', gatherJobId: gather.id, scrapeJobId: scrape.id, ruleId });
    const alert = await webhookFor(config.id, 'alert.created');
    expect(alert.json.data.alert).toMatchObject({ deployedVersion: '1.25.3', latestVersion: '1.27.0', behindBy: 2, severity: 'high' });
    const snapshots = await stack.call('GET', `/api/v1/scrape-jobs/${scrape.id}/snapshots`);
    expect(snapshots.body.items[0]).toMatchObject({
      version: '1.25.3',
      raw: 'Deployment web/nginx container nginx: docker.io/library/nginx:1.25.3',
      imageDigest: null,
      details: { workloads: [{ kind: 'Deployment', namespace: 'web', name: 'nginx', container: 'nginx', image: 'docker.io/library/nginx:1.25.3', version: '1.25.3', imageDigest: null }] },
    });

    // The rollout: the Deployment's pod template moves to 1.27.0; the next scrape records it.
    kube.workloads[0]!.containers[0]!.image = 'docker.io/library/nginx:1.27.0';
    expect((await stack.call('POST', `/api/v1/scrape-jobs/${scrape.id}/run`)).status).toBe(202);
    const resolved = await webhookFor(config.id, 'alert.resolved');
    expect(resolved.json.data.alert).toMatchObject({ status: 'resolved', deployedVersion: '1.27.0', behindBy: 0 });
    const history = await stack.call('GET', `/api/v1/scrape-jobs/${scrape.id}/snapshots`);
    expect(history.body.items.map((s: any) => s.version)).toEqual(['1.27.0', '1.25.3']);
  }, 90_000);

  it("a Helm release's chart against a private GitLab project's releases: alerted, then resolved by the upgrade", async () => {
    const gather = await created('/api/v1/gather-jobs', {
      name: 'cert-manager releases', sourceType: 'gitlab_release', source: { project: 'jetstack/cert-manager', baseUrl: gitlab.url }, schedule: '0 */6 * * *', credentialName: 'gitlab-token',
    });
    const scrape = await created('/api/v1/scrape-jobs', {
      name: 'cert-manager in prod-eu', parser: 'helm_release', helmRelease: { namespace: 'cert-manager', release: 'cert-manager' }, schedule: '0 * * * *', credentialName: 'prod-eu',
    });
    const config = await created('/api/v1/alert-configs', { name: 'cert-manager lag', gatherJobId: gather.id, scrapeJobId: scrape.id, ruleId });
    const alert = await webhookFor(config.id, 'alert.created');
    expect(alert.json.data.alert).toMatchObject({ deployedVersion: 'v1.15.3', latestVersion: 'v1.17.0', behindBy: 2, severity: 'high' });
    const snapshot = (await stack.call('GET', `/api/v1/scrape-jobs/${scrape.id}/snapshots`)).body.items[0];
    expect(snapshot.details.helmRelease).toMatchObject({ name: 'cert-manager', revision: 3, chartVersion: 'v1.15.3', appVersion: 'v1.15.3', status: 'deployed' });

    // helm upgrade: revision 3 is superseded, revision 4 deployed.
    kube.secrets.splice(0, kube.secrets.length,
      helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision: 3, status: 'superseded', chart: 'cert-manager', chartVersion: 'v1.15.3', appVersion: 'v1.15.3' }),
      helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision: 4, status: 'deployed', chart: 'cert-manager', chartVersion: 'v1.17.0', appVersion: 'v1.17.0' }),
    );
    expect((await stack.call('POST', `/api/v1/scrape-jobs/${scrape.id}/run`)).status).toBe(202);
    const resolved = await webhookFor(config.id, 'alert.resolved');
    expect(resolved.json.data.alert).toMatchObject({ status: 'resolved', deployedVersion: 'v1.17.0', behindBy: 0 });
  }, 90_000);

  it('endoflife.date cycles feed an alert config, and each release carries its cycle', async () => {
    const gather = await created('/api/v1/gather-jobs', { name: 'kubernetes cycles', sourceType: 'endoflife', source: { product: 'kubernetes', baseUrl: eol.url }, schedule: '0 0 * * *' });
    const scrape = await created('/api/v1/scrape-jobs', { name: 'control plane', parser: 'manual' });
    expect((await stack.call('PUT', `/api/v1/scrape-jobs/${scrape.id}/version`, { version: '1.29.13' })).status).toBe(201);
    const config = await created('/api/v1/alert-configs', { name: 'control plane lag', gatherJobId: gather.id, scrapeJobId: scrape.id, ruleId });
    const alert = await webhookFor(config.id, 'alert.created');
    expect(alert.json.data.alert).toMatchObject({ deployedVersion: '1.29.13', latestVersion: '1.32.1', behindBy: 3, severity: 'critical' });
    const releases = await stack.call('GET', `/api/v1/gather-jobs/${gather.id}/releases`);
    expect(releases.body.items.find((r: any) => r.tag === '1.29.13')).toMatchObject({
      publishedAt: '2025-01-15T00:00:00.000Z',
      cycle: { name: '1.29', releaseDate: '2023-12-13', latestVersion: '1.29.13', supportEnds: '2024-12-28', eolDate: '2025-02-28', eol: true, maintained: false },
    });
  }, 90_000);

  it('refuses a cluster job without its cluster, and a job for a namespace the agent may not read fails clearly', async () => {
    const missing = await stack.call('POST', '/api/v1/scrape-jobs', { name: 'x', parser: 'kubernetes', kubernetes: { namespace: 'web', selector: 'app=nginx' }, schedule: '0 * * * *' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ path: 'credentialName', message: 'credentialName is required for parser kubernetes: the cluster name its agents declare (AGENT_KUBE_CLUSTER)' }]);
    const scrape = await created('/api/v1/scrape-jobs', { name: 'system', parser: 'kubernetes', kubernetes: { namespace: 'kube-system', selector: 'k8s-app=kube-dns' }, schedule: '0 * * * *', credentialName: 'prod-eu' });
    const task = await eventually('the failed task', async () => {
      const tasks = await stack.call('GET', `/api/v1/tasks?jobId=${scrape.id}`);
      return tasks.body.items.find((t: any) => t.status === 'failed');
    });
    expect(task.error).toBe('namespace kube-system is not one this agent may read (AGENT_KUBE_NAMESPACES: web, cert-manager)');
  }, 60_000);

  it('never wrote the kube token or the GitLab token to a log', () => {
    const everything = [...stack.logs.values()].flat().join('\n');
    expect(everything).not.toContain(kube.token);
    expect(everything).not.toContain(gitlab.token);
  });
});
