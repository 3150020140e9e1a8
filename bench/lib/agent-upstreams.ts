import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubernetesCycles, startEndoflifeApi } from '../../apps/agent/test/helpers/endoflife-api.ts';
import { startGitHttpServer } from '../../apps/agent/test/helpers/git-http-server.ts';
import { createTestRepository } from '../../apps/agent/test/helpers/git-repo.ts';
import { makeReleases, makeTags, startGithubApi, type GithubRelease } from '../../apps/agent/test/helpers/github-api.ts';
import { makeGitlabReleases, startGitlabApi } from '../../apps/agent/test/helpers/gitlab-api.ts';
import { helmIndexYaml, manyCharts, startHelmRepo } from '../../apps/agent/test/helpers/helm-repo.ts';
import { helmReleaseSecret, startKubeApi } from '../../apps/agent/test/helpers/kube-api.ts';
import { startTokenRegistry } from '../../apps/agent/test/helpers/oci-token-registry.ts';

// Stand-ins of every upstream an agent reads, on loopback, speaking the real APIs' shapes (the
// agent's own test helpers), with one small source of each kind and the huge sources of issue 17.

/** A job to create through the api: its collection route and its body. */
export interface BenchJob {
  label: string;
  route: '/api/v1/gather-jobs' | '/api/v1/scrape-jobs' | '/api/v1/helm-sync-jobs';
  body: Record<string, unknown>;
}

/** The upstreams, the jobs that read them, and what the agent needs to reach the cluster. */
export interface AgentUpstreams {
  /** One small job of each kind of task the agent runs. */
  everyKind: BenchJob[];
  /** A gather of one chart from a 10 MB index of 100 charts (~9,300 versions in all), as big public repositories publish. */
  helm10mb: BenchJob;
  /** Sources with 20,000 versions: one chart's in a 10 MB index, 200 pages of GitHub releases, 20,000 OCI tags. */
  huge: BenchJob[];
  /** Settings the agent needs to read the stand-in cluster (kubernetes and helm_release scrapes). */
  agentEnv: Record<string, string>;
  close(): Promise<void>;
}

const SCHEDULE = '0 0 1 1 *';
const KUBE_CLUSTER = 'bench-cluster';

/**
 * One chart with `count` versions, each entry shaped as `helm repo index` writes it and padded to
 * about `bytesPerVersion`: what a chart that publishes every build looks like.
 */
function oneHugeChartIndex(count: number, bytesPerVersion: number, baseUrl: string): string {
  const lines = ['apiVersion: v1', 'entries:', '  nightly:'];
  for (let i = count - 1; i >= 0; i--) {
    const version = `0.${Math.floor(i / 100)}.${i % 100}`;
    const entry = [
      '  - apiVersion: v2',
      `    appVersion: ${version}`,
      `    created: "${new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString()}"`,
      '    description: A chart built from every commit of the main branch.',
      `    digest: ${createHash('sha256').update(version).digest('hex')}`,
      '    home: https://example.com/nightly',
      '    name: nightly',
      '    urls:',
      `    - ${baseUrl}/nightly-${version}.tgz`,
      `    version: ${version}`,
    ];
    const pad = bytesPerVersion - entry.join('\n').length - 24;
    if (pad > 0) entry.push('    annotations:', `      notes: ${'x'.repeat(pad)}`);
    lines.push(...entry);
  }
  lines.push('generated: "2024-08-13T10:37:52Z"', '');
  return lines.join('\n');
}

/** GitHub releases with the size real ones have (author, a changelog body): ~2 KB each. */
function realisticReleases(owner: string, repo: string, count: number): GithubRelease[] {
  const changelog = Array.from({ length: 20 }, (_, i) => `- fix #${1000 + i}: a change described in one line of the changelog`).join('\n');
  return makeReleases(owner, repo, count).map((release) => ({
    ...release,
    body: `## What's changed in ${release.tag_name}\n${changelog}`,
    author: { login: 'release-bot', id: 1, type: 'Bot', site_admin: false, html_url: 'https://github.com/release-bot' },
    assets: [],
  }));
}

/** Starts every stand-in and fills it. */
export async function startAgentUpstreams(): Promise<AgentUpstreams> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pk-bench-upstreams-'));
  const closers: Array<() => Promise<void>> = [];
  try {
    const helm = await startHelmRepo();
    closers.push(helm.close);
    helm.files.set('/small/index.yaml', helmIndexYaml(manyCharts(5, 20), `${helm.url}/small`));
    helm.files.set('/big/index.yaml', helmIndexYaml(manyCharts(100, 93), `${helm.url}/big`));
    helm.files.set('/huge/index.yaml', oneHugeChartIndex(20_000, 500, `${helm.url}/huge`));

    const github = await startGithubApi();
    closers.push(github.close);
    github.repos.set('acme/widget', realisticReleases('acme', 'widget', 120));
    github.repos.set('acme/monorepo', realisticReleases('acme', 'monorepo', 20_000));
    github.tags.set('acme/tagged', makeTags('acme', 'tagged', Array.from({ length: 150 }, (_, i) => `v2.${Math.floor((149 - i) / 10)}.${(149 - i) % 10}`), github.commits));

    const gitlab = await startGitlabApi();
    closers.push(gitlab.close);
    gitlab.projects.set('acme/runner', makeGitlabReleases('acme/runner', Array.from({ length: 130 }, (_, i) => `v16.${Math.floor((129 - i) / 10)}.${(129 - i) % 10}`)));

    const endoflife = await startEndoflifeApi();
    closers.push(endoflife.close);
    endoflife.products.set('kubernetes', kubernetesCycles());

    const registry = await startTokenRegistry();
    closers.push(registry.close);
    registry.repositories.set('library/nginx', { tags: Array.from({ length: 300 }, (_, i) => `1.${Math.floor(i / 10)}.${i % 10}`), private: false });
    registry.repositories.set('acme/builds', { tags: Array.from({ length: 20_000 }, (_, i) => `2.${Math.floor(i / 100)}.${i % 100}`), private: false });

    const repository = createTestRepository(path.join(root, 'served', 'platform'));
    repository.commit({ 'charts/storefront/values.yaml': 'image:\n  repository: nginx\n  tag: 1.27.1\n' });
    const git = await startGitHttpServer(path.join(root, 'served'), null);
    closers.push(git.close);

    const kube = await startKubeApi();
    closers.push(kube.close);
    kube.workloads.push({ kind: 'Deployment', namespace: 'web', name: 'nginx', labels: { app: 'nginx' }, containers: [{ name: 'nginx', image: 'docker.io/library/nginx:1.25.3' }] });
    kube.secrets.push(helmReleaseSecret({ namespace: 'web', release: 'redis', revision: 2, status: 'deployed', chart: 'redis', chartVersion: '20.0.1', appVersion: '7.4.0' }));

    const gather = (label: string, sourceType: string, source: Record<string, unknown>): BenchJob => ({
      label,
      route: '/api/v1/gather-jobs',
      body: { name: label, sourceType, source, schedule: SCHEDULE },
    });
    return {
      everyKind: [
        gather('helm gather', 'helm_repo', { repoUrl: `${helm.url}/small`, chart: 'chart-0002' }),
        gather('github gather', 'github_release', { owner: 'acme', repo: 'widget', baseUrl: github.url }),
        gather('oci gather', 'oci_registry', { registryUrl: registry.url, repository: 'library/nginx' }),
        gather('github_tag gather', 'github_tag', { owner: 'acme', repo: 'tagged', baseUrl: github.url }),
        gather('gitlab_release gather', 'gitlab_release', { project: 'acme/runner', baseUrl: gitlab.url }),
        gather('endoflife gather', 'endoflife', { product: 'kubernetes', baseUrl: endoflife.url }),
        {
          label: 'git scrape (yq)',
          route: '/api/v1/scrape-jobs',
          body: { name: 'git scrape', repoUrl: `${git.url}/platform`, ref: 'main', filePath: 'charts/storefront/values.yaml', parser: 'yq', expression: '.image.tag', schedule: SCHEDULE },
        },
        {
          label: 'kubernetes scrape',
          route: '/api/v1/scrape-jobs',
          body: { name: 'kubernetes scrape', parser: 'kubernetes', kubernetes: { namespace: 'web', selector: 'app=nginx' }, credentialName: KUBE_CLUSTER, schedule: SCHEDULE },
        },
        {
          label: 'helm_release scrape',
          route: '/api/v1/scrape-jobs',
          body: { name: 'helm_release scrape', parser: 'helm_release', helmRelease: { namespace: 'web', release: 'redis' }, credentialName: KUBE_CLUSTER, schedule: SCHEDULE },
        },
        {
          label: 'helm_sync (chart filter)',
          route: '/api/v1/helm-sync-jobs',
          body: { name: 'helm sync', repoUrl: `${helm.url}/small`, chartFilter: '^chart-000[0-3]$', schedule: SCHEDULE },
        },
      ],
      helm10mb: gather('helm gather, 10 MB index', 'helm_repo', { repoUrl: `${helm.url}/big`, chart: 'chart-0050' }),
      huge: [
        gather('helm gather, one chart of 20,000 versions in a 10 MB index', 'helm_repo', { repoUrl: `${helm.url}/huge`, chart: 'nightly' }),
        gather('github gather, 200 pages of releases', 'github_release', { owner: 'acme', repo: 'monorepo', baseUrl: github.url }),
        gather('oci gather, 20,000 tags', 'oci_registry', { registryUrl: registry.url, repository: 'acme/builds' }),
      ],
      agentEnv: { AGENT_KUBE_NAMESPACES: 'web', AGENT_KUBECONFIG: kube.writeKubeconfig(), AGENT_KUBE_CLUSTER: KUBE_CLUSTER },
      async close() {
        for (const close of closers.reverse()) await close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
