import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { helmIndexYaml, startHelmRepo } from './helpers/helm-repo.ts';
import { closedPort, readBody, startLocalServer } from './helpers/http-server.ts';

const agentDir = fileURLToPath(new URL('..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'pk-agent-process-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts the agent as production does (node runs the sources), with only `env` set. */
function startAgent(env: Record<string, string>, nodeArgs: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...nodeArgs, '--conditions=source', 'src/main.ts'], {
    cwd: agentDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AGENT_CACHE_DIR: join(root, 'cache'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

// Preloaded into the agent: writes the URL of every module it loads to stderr.
const LOG_LOADED_MODULES = `data:text/javascript,${encodeURIComponent(`
  import { registerHooks } from 'node:module';
  import { writeSync } from 'node:fs';
  registerHooks({ load(url, context, next) { writeSync(2, 'module loaded: ' + url + '\\n'); return next(url, context); } });
`)}`;

const TASK_CODE = /\/node_modules\/(got|octokit|@octokit\/[^/]+|jq-wasm|@kubernetes\/client-node|undici)\/|\/packages\/domain\/|\/apps\/agent\/src\/(gather|scrape|kube|helm-sync|http-body|tasks\.ts)/;
const loadedModules = (output: string) => output.split('\n').flatMap((line) => (line.startsWith('module loaded: ') ? [line.slice('module loaded: '.length)] : []));

/** The processes below `pid` (its task worker, and what that started). */
const childrenOf = (pid: number): number[] =>
  readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter((id) => id !== '').map(Number);
    } catch {
      return [];
    }
  });

const waitFor = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('the agent process', () => {
  it('exits 1 naming every bad setting, without echoing the key', async () => {
    const agent = startAgent({ AGENT_SERVER_URL: 'https://planekeeper.example.com', AGENT_API_KEY: 'secret-key-without-prefix', AGENT_MAX_CONCURRENT_TASKS: 'lots' });
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toMatch(/AGENT_SERVER_URL: must end in \/api\/v1\/agent/);
    expect(agent.output()).toMatch(/AGENT_API_KEY: must be a Planekeeper API key starting with pk_ \(given value\)/);
    expect(agent.output()).toMatch(/AGENT_MAX_CONCURRENT_TASKS: /);
    expect(agent.output()).not.toContain('secret-key-without-prefix');
  });

  it('exits 1 when AGENT_CONFIG names a file that is not there', async () => {
    const agent = startAgent({ AGENT_SERVER_URL: 'http://127.0.0.1:1/api/v1/agent', AGENT_API_KEY: 'pk_test', AGENT_CONFIG: join(root, 'missing.yaml') });
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toContain(`AGENT_CONFIG: ${join(root, 'missing.yaml')}: file not found`);
  });

  it('outlives an unreachable server, backing off between heartbeats, and exits 0 on SIGTERM', async () => {
    const serverPort = await closedPort();
    const opsPort = await closedPort();
    const agent = startAgent({
      AGENT_SERVER_URL: `http://127.0.0.1:${serverPort}/api/v1/agent`,
      AGENT_API_KEY: 'pk_never_logged_0123456789',
      AGENT_METRICS_PORT: String(opsPort),
      LOG_LEVEL: 'debug',
    });
    const failures = () => agent.output().split('\n').filter((line) => line.includes('heartbeat failed'));
    await waitFor(() => failures().length >= 3, 10_000);
    const delays = failures().map((line) => (JSON.parse(line) as { retryInMs: number }).retryInMs);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[2]).toBeGreaterThan(delays[0] as number);
    expect(failures()[0]).toContain('could not reach the server for /heartbeat: ECONNREFUSED');

    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(503);

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(agent.output()).toContain('"msg":"agent stopped"');
    expect(agent.output()).not.toContain('pk_never_logged');
  }, 20_000);

  it('starts with one warning per credential that has no hosts:, naming it and never its secret', async () => {
    const config = join(root, 'old-config.yaml');
    writeFileSync(
      config,
      [
        'agent:',
        '  credentials:',
        '    old-pat: { type: https_pat, token: ghp_never_shown_1 }',
        '    old-registry: { type: registry_basic, username: bot, password: never_shown_2 }',
        '    scoped-pat: { type: https_pat, token: ghp_never_shown_3, hosts: [github.com] }',
        '',
      ].join('\n'),
    );
    const agent = startAgent({ AGENT_SERVER_URL: `http://127.0.0.1:${await closedPort()}/api/v1/agent`, AGENT_API_KEY: 'pk_test', AGENT_CONFIG: config });
    await waitFor(() => agent.output().includes('heartbeat failed'), 10_000);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const warnings = agent.output().split('\n').filter((line) => line.includes('has no hosts:')).map((line) => JSON.parse(line) as { level: string; credential: string; msg: string });
    expect(warnings.map((line) => [line.level, line.credential])).toEqual([['warn', 'old-pat'], ['warn', 'old-registry']]);
    expect(warnings[0]?.msg).toBe(
      `credential old-pat has no hosts: in ${config}; the agent will not send it anywhere, and tasks that name it fail, until you list the hosts it may be sent to (see the agent's README)`,
    );
    expect(agent.output()).not.toMatch(/never_shown/);
  }, 20_000);

  it('loads the code of tasks only when a task comes: an idle agent maps none of it, cluster reads included', async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'pk-idle-')), 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    const agent = startAgent(
      { AGENT_SERVER_URL: `http://127.0.0.1:${await closedPort()}/api/v1/agent`, AGENT_API_KEY: 'pk_test', AGENT_KUBE_NAMESPACES: 'web', AGENT_KUBECONFIG: kubeconfig },
      ['--import', LOG_LOADED_MODULES],
    );
    await waitFor(() => agent.output().includes('heartbeat failed'), 10_000);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const loaded = loadedModules(agent.output());
    expect(loaded.some((url) => url.endsWith('/src/loop.ts'))).toBe(true);
    expect(loaded.filter((url) => TASK_CODE.test(url))).toEqual([]);
  }, 20_000);

  it('runs a claimed task in its task worker, reports it, ends the worker once idle, and never loads task code itself nor logs a secret', async () => {
    const password = 'chart-password-never-logged';
    const helm = await startHelmRepo();
    helm.files.set('/index.yaml', helmIndexYaml([{ name: 'redis', version: '20.0.1', appVersion: '7.4.0', created: '2024-08-09T00:00:00Z' }], helm.url));
    helm.setAuth({ username: 'charts', password });
    const config = join(root, 'charts-config.yaml');
    writeFileSync(config, `agent:\n  credentials:\n    charts: { type: registry_basic, username: charts, password: ${password}, hosts: ["${new URL(helm.url).host}"] }\n`);
    // A stand-in of the agent API: one Helm gather to claim, then nothing.
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const claimable = [{ id: id(1), jobId: id(2), leaseToken: id(3), leaseExpiresAt: new Date(Date.now() + 300_000).toISOString(), kind: 'gather', credentialName: 'charts', spec: { sourceType: 'helm_repo', source: { repoUrl: helm.url, chart: 'redis' }, tagFilter: null, etag: null } }];
    const reports: { path: string; body: Record<string, unknown> }[] = [];
    const api = await startLocalServer(async (req, res) => {
      const body = (await readBody(req)).toString('utf8');
      const answer = (status: number, json?: unknown) => {
        res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      const path = req.url ?? '';
      if (path.endsWith('/heartbeat')) return answer(200, { agentId: id(9), pollIntervalSeconds: 30, serverTime: new Date().toISOString() });
      if (path.endsWith('/tasks/claim')) return claimable.length > 0 ? answer(200, { tasks: claimable.splice(0) }) : answer(204);
      if (path.endsWith('/lease')) return answer(200, { leaseExpiresAt: new Date(Date.now() + 300_000).toISOString() });
      // The diagnostics poll beside the task loop: no probe waits.
      if (path.endsWith('/diagnostics')) return answer(200, { probes: [] });
      reports.push({ path, body: JSON.parse(body) as Record<string, unknown> });
      answer(200, {});
    });
    try {
      const agent = startAgent(
        {
          AGENT_SERVER_URL: `${api.url}/api/v1/agent`,
          AGENT_API_KEY: 'pk_process_test_never_logged',
          GITHUB_TOKEN: 'ghp_process_test_never_logged',
          AGENT_CONFIG: config,
          AGENT_POLL_INTERVAL: '1',
          AGENT_TASK_WORKER_IDLE_SECONDS: '0.5',
          LOG_LEVEL: 'debug',
        },
        ['--import', LOG_LOADED_MODULES],
      );
      const pid = agent.child.pid as number;
      await waitFor(() => reports.length === 1, 30_000);
      expect(reports[0]).toEqual({
        path: `/api/v1/agent/tasks/${id(1)}/result`,
        body: { leaseToken: id(3), result: { releases: [{ tag: '20.0.1', publishedAt: '2024-08-09T00:00:00.000Z', prerelease: false, url: `${helm.url}/redis-20.0.1.tgz` }] } },
      });
      await waitFor(() => agent.output().includes('task worker ended: no task for a while') && childrenOf(pid).length === 0, 15_000);
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);

      const lines = agent.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.find((line) => line.msg === 'task succeeded')).toMatchObject({ taskId: id(1), jobId: id(2), kind: 'gather' });
      expect(loadedModules(agent.output()).filter((url) => TASK_CODE.test(url))).toEqual([]);
      for (const secret of [password, Buffer.from(`charts:${password}`).toString('base64'), 'ghp_process_test_never_logged', 'pk_process_test_never_logged']) {
        expect(agent.output()).not.toContain(secret);
      }
    } finally {
      await Promise.all([api.close(), helm.close()]);
    }
  }, 60_000);
});
