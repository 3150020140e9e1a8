import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClaimedTaskEnvelope } from '../src/api-client.ts';
import type { Credential } from '../src/credentials.ts';
import type { EtagMemory } from '../src/gather/github.ts';
import { createTaskWorker, taskSecrets, type TaskWorker, type TaskWorkerOptions } from '../src/task-worker/task-worker.ts';
import { githubToken, hostPortOf, scoped } from './helpers/credentials.ts';
import { makeReleases, startGithubApi, type GithubApiStandIn } from './helpers/github-api.ts';
import { helmIndexYaml, startHelmRepo, type HelmRepoStandIn } from './helpers/helm-repo.ts';
import { startLocalServer, type LocalServer } from './helpers/http-server.ts';
import { captureLogger } from './helpers/logger.ts';
import { startTokenRegistry, type TokenRegistryStandIn } from './helpers/oci-token-registry.ts';

// The task worker: a process of its own that runs the agent's tasks and ends when idle. These
// tests drive it as the loop does, against local stand-ins of the upstreams.

let sequence = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
const claimed = (kind: string, spec: unknown, credentialName: string | null = null, jobId = uuid()): ClaimedTaskEnvelope => ({
  id: uuid(),
  jobId,
  leaseToken: uuid(),
  leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
  kind,
  credentialName,
  spec,
});
const helmGather = (repoUrl: string, credentialName: string | null = null) =>
  claimed('gather', { sourceType: 'helm_repo', source: { repoUrl, chart: 'redis' }, tagFilter: null, etag: null }, credentialName);

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const HELM_PASSWORD = 'helm-password-never-logged';
const GITHUB_SECRET = 'ghp_task_worker_never_logged';

const root = mkdtempSync(join(tmpdir(), 'pk-task-worker-'));
let helm: HelmRepoStandIn;
let privateHelm: HelmRepoStandIn;
let github: GithubApiStandIn;
let registry: TokenRegistryStandIn;
/** A Helm repository that holds every request until told to answer. */
let holding: LocalServer & { held: ServerResponse[]; dropped: () => number; release(): void };
const credentials = new Map<string, Credential>();
const workers: TaskWorker[] = [];

beforeAll(async () => {
  helm = await startHelmRepo();
  helm.files.set('/index.yaml', helmIndexYaml([{ name: 'redis', version: '20.0.1', appVersion: '7.4.0', created: '2024-08-09T00:00:00Z' }], helm.url));
  privateHelm = await startHelmRepo();
  privateHelm.files.set('/index.yaml', helmIndexYaml([{ name: 'redis', version: '21.0.0', appVersion: '8.0.0', created: '2025-01-09T00:00:00Z' }], privateHelm.url));
  privateHelm.setAuth({ username: 'charts', password: HELM_PASSWORD });
  credentials.set('charts', scoped({ type: 'registry_basic', username: 'charts', password: HELM_PASSWORD }, [hostPortOf(privateHelm.url)], 'charts'));
  github = await startGithubApi();
  github.repos.set('acme/widget', makeReleases('acme', 'widget', 12));
  registry = await startTokenRegistry();
  registry.repositories.set('team/app', { tags: ['1.0.0', '1.1.0', '1.2.0'], private: false });
  const held: ServerResponse[] = [];
  let dropped = 0;
  const local = await startLocalServer((_req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) dropped++;
    });
    held.push(res);
  });
  holding = Object.assign(local, {
    held,
    dropped: () => dropped,
    release() {
      for (const res of held.splice(0)) {
        if (res.destroyed) continue;
        res.writeHead(200, { 'content-type': 'text/yaml' });
        res.end(helmIndexYaml([{ name: 'redis', version: '19.0.0', appVersion: '7.2.0', created: '2024-01-01T00:00:00Z' }], local.url));
      }
    },
  });
});
afterEach(async () => {
  holding.release();
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
});
afterAll(async () => {
  await Promise.all([helm.close(), privateHelm.close(), github.close(), registry.close(), holding.close()]);
  rmSync(root, { recursive: true, force: true });
});

/** A task worker as the agent makes one, with a captured logger; closed after each test. */
function startTaskWorker(overrides: Partial<TaskWorkerOptions> = {}) {
  const log = captureLogger('debug');
  const etags: EtagMemory = overrides.etags ?? new Map();
  const worker = createTaskWorker({
    settings: { capabilities: ['gather', 'scrape', 'helm_sync'], cacheDir: join(root, 'cache'), childEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, userAgent: 'planekeeper-agent/test', logLevel: 'debug' },
    credentials,
    githubToken: githubToken(GITHUB_SECRET, [hostPortOf(github.url)]),
    etags,
    logger: log.logger,
    idleMs: 60_000,
    maxHeapMb: 256,
    ...overrides,
  });
  workers.push(worker);
  return { worker, log, etags };
}

const signal = () => new AbortController().signal;

describe('the task worker', () => {
  it('runs a task in a process of its own, which ends once the agent has been idle for idleMs', async () => {
    const { worker, log } = startTaskWorker({ idleMs: 300 });
    expect(worker.stats()).toEqual({ workersStarted: 0, pid: undefined });
    const result = JSON.parse(await worker.runTask(helmGather(helm.url), signal()));
    expect(result).toEqual({ releases: [{ tag: '20.0.1', publishedAt: '2024-08-09T00:00:00.000Z', prerelease: false, url: `${helm.url}/redis-20.0.1.tgz` }] });
    const pid = worker.stats().pid as number;
    expect(pid).toEqual(expect.any(Number));
    expect(pid).not.toBe(process.pid);

    await until('the idle worker to end', () => worker.stats().pid === undefined && !isRunning(pid));
    expect(log.lines().some((line) => line.msg === 'task worker ended: no task for a while')).toBe(true);
    // The next task starts a new one.
    await expect(worker.runTask(helmGather(helm.url), signal())).resolves.toContain('20.0.1');
    expect(worker.stats().workersStarted).toBe(2);
  });

  it('runs tasks side by side in one worker, and keeps it for the next task while busy', async () => {
    const { worker } = startTaskWorker({ idleMs: 60_000 });
    const first = worker.runTask(helmGather(holding.url), signal());
    const second = worker.runTask(helmGather(holding.url), signal());
    // Both wait on the upstream at once, in the same worker.
    await until('both tasks to reach the upstream', () => holding.held.length === 2);
    holding.release();
    await expect(Promise.all([first, second])).resolves.toEqual([expect.stringContaining('19.0.0'), expect.stringContaining('19.0.0')]);
    await expect(worker.runTask(helmGather(helm.url), signal())).resolves.toContain('20.0.1');
    expect(worker.stats().workersStarted).toBe(1);
  });

  it('stops a running task when its signal aborts (a lost lease, a drain), and keeps serving others', async () => {
    const { worker } = startTaskWorker();
    const stop = new AbortController();
    const droppedBefore = holding.dropped();
    const running = worker.runTask(helmGather(holding.url), stop.signal);
    await until('the task to reach the upstream', () => holding.held.length === 1);
    stop.abort();
    await expect(running).rejects.toMatchObject({ message: 'the task was stopped', retryable: true });
    // The worker dropped its request to the upstream.
    await until('the upstream to see the request dropped', () => holding.dropped() > droppedBefore);
    await expect(worker.runTask(helmGather(helm.url), signal())).resolves.toContain('20.0.1');
    expect(worker.stats().workersStarted).toBe(1);
  });

  it('fails the tasks of a worker that runs out of memory, saying so, and the next task gets a new worker', async () => {
    // One chart whose single version lists a million URLs: some 30 MB of text that a 64 MB heap cannot hold as objects.
    const lines = ['apiVersion: v1', 'entries:', '  bomb:', '  - name: bomb', '    version: 1.0.0', '    urls:'];
    for (let i = 0; i < 1_000_000; i++) lines.push(`    - https://charts.example.com/bomb-${i}.tgz`);
    helm.files.set('/bomb/index.yaml', `${lines.join('\n')}\n`);
    const { worker, log } = startTaskWorker({ maxHeapMb: 64 });

    const alone = worker.runTask(claimed('gather', { sourceType: 'helm_repo', source: { repoUrl: `${helm.url}/bomb`, chart: 'bomb' }, tagFilter: null, etag: null }), signal());
    await expect(alone).rejects.toMatchObject({
      message: "the agent's task worker ran out of memory running this task: more than its 64 MB heap (AGENT_TASK_WORKER_MAX_HEAP_MB); the upstream's answer may be hostile, or larger than the agent is set to read",
      // The same answer would do it again.
      retryable: false,
    });
    expect(log.lines().some((line) => line.level === 'error' && line.msg === 'the task worker died; its tasks fail, and the next task starts a new one')).toBe(true);

    // Beside another task, both fail, and may be retried: either may have been the cause.
    const beside = worker.runTask(helmGather(holding.url), signal());
    await until('the other task to reach the upstream', () => holding.held.length === 1);
    const bomb = worker.runTask(claimed('gather', { sourceType: 'helm_repo', source: { repoUrl: `${helm.url}/bomb`, chart: 'bomb' }, tagFilter: null, etag: null }), signal());
    for (const task of [beside, bomb]) {
      await expect(task).rejects.toMatchObject({ message: expect.stringContaining('ran out of memory running this task (and 1 other task running with it)'), retryable: true });
    }

    await expect(worker.runTask(helmGather(helm.url), signal())).resolves.toContain('20.0.1');
    expect(worker.stats().workersStarted).toBe(3);
    helm.files.delete('/bomb/index.yaml');
  }, 60_000);

  it("keeps GitHub ETags in the agent, so a job's next gather is conditional even in a new worker", async () => {
    const { worker, etags } = startTaskWorker({ idleMs: 0 });
    const jobId = uuid();
    const gather = () => claimed('gather', { sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url }, tagFilter: null, etag: null }, null, jobId);
    const first = JSON.parse(await worker.runTask(gather(), signal())) as { etag: string };
    expect(etags.get(jobId)).toBe(first.etag);
    const pid = worker.stats().pid as number;
    await until('the worker to end', () => !isRunning(pid));

    const again = JSON.parse(await worker.runTask(gather(), signal()));
    expect(again).toEqual({ releases: [], notModified: true, etag: first.etag });
    expect(github.requests.at(-1)?.ifNoneMatch).toBe(first.etag);
    expect(worker.stats().workersStarted).toBe(2);
  });

  it('logs the lines of its tasks with their ids, and no secret in any line', async () => {
    const { worker, log } = startTaskWorker();
    const oci = claimed('gather', { sourceType: 'oci_registry', source: { registryUrl: registry.url, repository: 'team/app' }, tagFilter: null, etag: null });
    await worker.runTask(oci, signal());
    const line = log.lines().find((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('publishedAt read from image configs'));
    expect(line).toMatchObject({ level: 'info', taskId: oci.id, jobId: oci.jobId, kind: 'gather', repository: 'team/app', tags: 3 });

    // The secrets at work: a Helm credential, refused and accepted, and GITHUB_TOKEN.
    await expect(worker.runTask(helmGather(privateHelm.url, 'charts'), signal())).resolves.toContain('21.0.0');
    await expect(worker.runTask(helmGather(helm.url, 'charts'), signal())).rejects.toMatchObject({ message: expect.stringContaining('credential charts may not be sent to') });
    await worker.runTask(claimed('gather', { sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url }, tagFilter: null, etag: null }), signal());
    expect(github.requests.at(-1)?.authorization).toBe(`token ${GITHUB_SECRET}`);
    await expect(worker.runTask(claimed('gather', { sourceType: 'github_release', source: { owner: 'acme', repo: 'nope', baseUrl: github.url }, tagFilter: null, etag: null }), signal())).rejects.toMatchObject({
      retryable: false,
    });
    expect(log.lines().length).toBeGreaterThan(3);
    expect(log.text()).not.toContain(HELM_PASSWORD);
    expect(log.text()).not.toContain(GITHUB_SECRET);
    expect(log.text()).not.toContain(Buffer.from(`charts:${HELM_PASSWORD}`).toString('base64'));
  });

  it('fails a task once the agent is stopping, and ends the worker with its tasks', async () => {
    const { worker } = startTaskWorker();
    const running = worker.runTask(helmGather(holding.url), signal());
    await until('the task to reach the upstream', () => holding.held.length === 1);
    const pid = worker.stats().pid as number;
    const outcome = running.catch((error: unknown) => error);
    await worker.close();
    await expect(outcome).resolves.toMatchObject({ message: 'the agent is stopping', retryable: true });
    expect(isRunning(pid)).toBe(false);
    await expect(worker.runTask(helmGather(helm.url), signal())).rejects.toMatchObject({ message: 'the agent is stopping', retryable: true });
  });
});

describe('taskSecrets', () => {
  const token = githubToken('ghp_only_for_github');
  const charts = scoped({ type: 'registry_basic', username: 'u', password: 'p' }, ['charts.example.com'], 'charts');
  const all = new Map<string, Credential>([['charts', charts], ['other', scoped({ type: 'https_pat', username: 'x', token: 't' }, ['git.example.com'], 'other')]]);

  it('gives a task the one credential it names, and nothing when it names none or one the agent lacks', () => {
    expect(taskSecrets(claimed('gather', { sourceType: 'helm_repo' }, 'charts'), all, undefined)).toEqual({ credential: charts });
    expect(taskSecrets(claimed('gather', { sourceType: 'helm_repo' }), all, undefined)).toEqual({});
    expect(taskSecrets(claimed('scrape', { parser: 'kubernetes' }, 'prod-cluster'), all, undefined)).toEqual({});
  });

  it('gives GITHUB_TOKEN to GitHub gathers only', () => {
    expect(taskSecrets(claimed('gather', { sourceType: 'github_release' }), all, token)).toEqual({ githubToken: token });
    expect(taskSecrets(claimed('gather', { sourceType: 'github_tag' }), all, token)).toEqual({ githubToken: token });
    for (const task of [claimed('gather', { sourceType: 'gitlab_release' }), claimed('scrape', { sourceType: 'github_release' }), claimed('helm_sync', null), claimed('gather', 'not an object')]) {
      expect(taskSecrets(task, all, token)).toEqual({});
    }
  });
});
