import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClaimedTaskEnvelope } from '../src/api-client.ts';
import type { Credential } from '../src/credentials.ts';
import { createExpressionSandbox } from '../src/sandbox/sandbox.ts';
import { createTaskRunner } from '../src/tasks.ts';
import { TaskError } from '../src/task-error.ts';
import { makeReleases, startGithubApi, type GithubApiStandIn } from './helpers/github-api.ts';
import { createTestRepository } from './helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from './helpers/git-http-server.ts';
import { helmIndexYaml, startHelmRepo, type HelmRepoStandIn } from './helpers/helm-repo.ts';
import { scoped } from './helpers/credentials.ts';
import { captureLogger } from './helpers/logger.ts';

let sequence = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
const claimed = (kind: string, spec: unknown, credentialName: string | null = null): ClaimedTaskEnvelope => ({
  id: uuid(),
  jobId: uuid(),
  leaseToken: uuid(),
  leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
  kind,
  credentialName,
  spec,
});

describe('running claimed tasks end to end on the agent side', () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-tasks-'));
  const sandbox = createExpressionSandbox();
  const { logger } = captureLogger();
  const credentials = new Map() as Map<string, Credential>;
  const runTask = createTaskRunner({
    capabilities: ['gather', 'scrape', 'helm_sync'],
    credentials,
    sandbox,
    etags: new Map(),
    githubToken: undefined,
    cacheDir: join(root, 'cache'),
    childEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    userAgent: 'planekeeper-agent/test',
    logger,
  });
  const signal = new AbortController().signal;
  let github: GithubApiStandIn;
  let git: GitHttpServer;
  let helm: HelmRepoStandIn;
  let commit: string;

  beforeAll(async () => {
    github = await startGithubApi();
    github.repos.set('kubernetes/ingress-nginx', makeReleases('kubernetes', 'ingress-nginx', 5));
    const repo = createTestRepository(join(root, 'served', 'platform'));
    commit = repo.commit({ 'charts/storefront/values.yaml': 'image:\n  repository: nginx\n  tag: 1.27.1\n' });
    git = await startGitHttpServer(join(root, 'served'), 'ghp_tasks');
    helm = await startHelmRepo();
    credentials.set('git-pat', scoped({ type: 'https_pat', username: 'x-access-token', token: 'ghp_tasks' }, [new URL(git.url).host], 'git-pat'));
    credentials.set('old-pat', scoped({ type: 'https_pat', username: 'x-access-token', token: 'ghp_tasks' }, null, 'old-pat'));
    helm.files.set('/index.yaml', helmIndexYaml([{ name: 'redis', version: '20.0.1', appVersion: '7.4.0', created: '2024-08-09T00:00:00Z' }], helm.url));
  });
  afterAll(async () => {
    await Promise.all([github.close(), git.close(), helm.close(), sandbox.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a scrape task: git over https with the named credential, then yq', async () => {
    const task = claimed(
      'scrape',
      { repoUrl: `${git.url}/platform`, ref: 'main', filePath: 'charts/storefront/values.yaml', parser: 'yq', expression: '.image.tag' },
      'git-pat',
    );
    await expect(runTask(task, signal)).resolves.toEqual({ version: '1.27.1', raw: '1.27.1', commitSha: commit });
  });

  it('runs a regex scrape task on the main thread: the sandbox starts no worker for it', async () => {
    const workers = sandbox.stats().workersStarted;
    const task = claimed(
      'scrape',
      { repoUrl: `${git.url}/platform`, ref: 'main', filePath: 'charts/storefront/values.yaml', parser: 'regex', expression: '^  tag: (\\S+)$' },
      'git-pat',
    );
    await expect(runTask(task, signal)).resolves.toEqual({ version: '1.27.1', raw: '  tag: 1.27.1', commitSha: commit });
    expect(sandbox.stats().workersStarted).toBe(workers);
  });

  it('runs a github_release gather task', async () => {
    const task = claimed('gather', { sourceType: 'github_release', source: { owner: 'kubernetes', repo: 'ingress-nginx', baseUrl: github.url }, tagFilter: null, etag: null });
    const result = await runTask(task, signal);
    expect(result).toMatchObject({ releases: expect.any(Array), etag: expect.stringMatching(/^W\//) });
  });

  it('runs a helm_repo gather task and a helm_sync task', async () => {
    const gather = claimed('gather', { sourceType: 'helm_repo', source: { repoUrl: helm.url, chart: 'redis' }, tagFilter: null, etag: null });
    await expect(runTask(gather, signal)).resolves.toEqual({
      releases: [{ tag: '20.0.1', publishedAt: '2024-08-09T00:00:00.000Z', prerelease: false, url: `${helm.url}/redis-20.0.1.tgz` }],
    });
    const sync = claimed('helm_sync', { repoUrl: helm.url, chartFilter: null });
    await expect(runTask(sync, signal)).resolves.toEqual({ charts: [{ name: 'redis', versions: ['20.0.1'] }] });
  });

  it('fails a task whose credential this agent does not have, for good', async () => {
    const task = claimed('scrape', { repoUrl: `${git.url}/platform`, ref: 'main', filePath: 'x.yaml', parser: 'yq', expression: '.a' }, 'prod-ssh');
    await expect(runTask(task, signal)).rejects.toEqual(new TaskError('credential prod-ssh is not configured on this agent (see AGENT_CONFIG)', { retryable: false }));
  });

  it('fails a task whose credential has no hosts yet, for good, sending it nowhere', async () => {
    git.requests.length = 0;
    const task = claimed('scrape', { repoUrl: `${git.url}/platform`, ref: 'main', filePath: 'x.yaml', parser: 'yq', expression: '.a' }, 'old-pat');
    await expect(runTask(task, signal)).rejects.toMatchObject({
      message: "credential old-pat has no hosts: in the agent's config.yaml, so the agent sends it nowhere; list the hosts it may be sent to (see the agent's README)",
      retryable: false,
    });
    expect(git.requests).toEqual([]);
  });

  it('fails a task whose spec it cannot read, naming the fields', async () => {
    const error = (await runTask(claimed('scrape', { repoUrl: 'https://example.com/x.git' }), signal).catch((e: unknown) => e)) as TaskError;
    expect(error).toBeInstanceOf(TaskError);
    // A scrape spec is told apart by its parser (a git file or a cluster read): that is the field named.
    expect(error.message).toMatch(/^the server sent a task this agent cannot read \(spec\.parser: /);
    expect(error.retryable).toBe(false);
  });

  it('fails a task of a kind outside its capabilities', async () => {
    const gatherOnly = createTaskRunner({
      capabilities: ['gather'],
      credentials,
      sandbox,
      etags: new Map(),
      githubToken: undefined,
      cacheDir: join(root, 'cache'),
      childEnv: {},
      userAgent: 'planekeeper-agent/test',
      logger,
    });
    await expect(gatherOnly(claimed('helm_sync', { repoUrl: helm.url, chartFilter: null }), signal)).rejects.toMatchObject({
      message: 'this agent does not run helm_sync tasks (AGENT_CAPABILITIES)',
      retryable: false,
    });
  });

  it('runs a cluster scrape only for the cluster it reads, named by the task as its credential', async () => {
    const spec = { parser: 'helm_release', helmRelease: { namespace: 'web', release: 'nginx' } };
    await expect(runTask(claimed('scrape', spec, 'prod-eu'), signal)).rejects.toMatchObject({
      message: 'this agent reads no cluster (set AGENT_KUBE_NAMESPACES, and AGENT_KUBECONFIG outside a pod)',
      retryable: false,
    });
    const inCluster = createTaskRunner({
      capabilities: ['scrape'], credentials, sandbox, etags: new Map(), githubToken: undefined, cacheDir: join(root, 'cache'), childEnv: {}, userAgent: 'planekeeper-agent/test', logger,
      kube: { cluster: 'staging', namespaces: ['web'], source: { kind: 'kubeconfig', path: join(root, 'no-kubeconfig') } },
    });
    await expect(inCluster(claimed('scrape', spec, 'prod-eu'), signal)).rejects.toMatchObject({
      message: 'the job names cluster prod-eu as its credentialName; this agent reads cluster staging (AGENT_KUBE_CLUSTER)',
      retryable: false,
    });
  });
});
