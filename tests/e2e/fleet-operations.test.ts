/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestRepository } from '../../apps/agent/test/helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from '../../apps/agent/test/helpers/git-http-server.ts';
import { startGithubApi, type GithubApiStandIn } from '../../apps/agent/test/helpers/github-api.ts';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { exportedMetricNames, metricsReadByMonitoring } from '../support/monitoring.ts';
import { eventually, logLines, SERVICES, startStack, writeAgentConfig, type Stack } from '../support/stack.ts';

// Fleet operations with every service and agent a real process (issue 16): an agent's health
// and clock skew as the api measures them, work nobody can take and how it unblocks, restarts
// that give tasks back at once, two processes under one name, and the monitoring rules read
// against the metrics the services really export.

const GIT_TOKEN = 'ghp_fleet_operations_token';

let stack: Stack;
let agentKey: string;
let github: GithubApiStandIn;
let upstream: HoldingProxy;
let git: GitHttpServer;

beforeAll(async () => {
  github = await startGithubApi();
  github.repos.set('acme/widget', []);
  upstream = await startHoldingProxy(github.url);
  const root = mkdtempSync(path.join(os.tmpdir(), 'pk-fleet-git-'));
  const repo = createTestRepository(path.join(root, 'served', 'deploy'));
  repo.commit({ 'values.yaml': 'image:\n  tag: "1.4.2"\n' }, 'deploy 1.4.2');
  git = await startGitHttpServer(path.join(root, 'served'), GIT_TOKEN);
  stack = await startStack();
  const key = await stack.call('POST', '/api/v1/api-keys', { name: 'fleet agents', role: 'agent' });
  expect(key.status).toBe(201);
  agentKey = key.body.key;
}, 90_000);

afterAll(async () => {
  upstream?.release();
  await stack?.stop();
  await Promise.all([upstream?.close(), github?.close(), git?.close()]);
});

const agentNamed = async (name: string): Promise<any> => (await stack.call('GET', '/api/v1/agents?limit=500')).body.items.find((a: any) => a.name === name);
const metricsOf = async (service: (typeof SERVICES)[number]) => (await fetch(stack.metricsUrl(service))).text();
const gaugeValue = (metrics: string, pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);

describe('agent health', () => {
  it('shows an agent whose clock is 2 minutes ahead within a few seconds of +120 s, with its health', async () => {
    await stack.startAgent('ahead', { AGENT_API_KEY: agentKey, AGENT_CAPABILITIES: 'scrape', AGENT_CLOCK_OFFSET_MS: '120000' });
    // The second beat carries the round trip measured on the first.
    const agent = await eventually('the skew measured with a round trip', async () => {
      const found = await agentNamed('ahead');
      return found?.clockSkewSeconds !== null && found?.health && Date.parse(found.lastHeartbeatAt) > Date.parse(found.createdAt) + 500 ? found : undefined;
    });
    console.log(`[fleet] agent 2 minutes ahead: skew measured ${agent.clockSkewSeconds} s`);
    expect(Math.abs(agent.clockSkewSeconds - 120)).toBeLessThan(3);
    expect(agent).toMatchObject({ status: 'online', online: true, draining: false, duplicateInstances: false, instanceId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(agent.warnings).toEqual([expect.stringMatching(/^clock skew: the agent's clock is 1(19|20|21) s ahead of the server's/)]);
    expect(agent.health.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(agent.health.cacheFreeBytes).toBeGreaterThan(0);
    expect(agent.health.loadAverage).toHaveLength(3);
    expect(agent.health).toMatchObject({ runningTasks: 0, cpuPercent: expect.any(Number), sampledAt: expect.any(String) });
    await eventually('the agent logging the warning', async () => (logLines(stack.logs, 'ahead', /^the server warns: clock skew/).length === 1 ? true : undefined));
    const metrics = await metricsOf('api');
    const skew = gaugeValue(metrics, /planekeeper_agent_clock_skew_seconds\{[^}]*agent="ahead"[^}]*\} (\S+)/);
    expect(Math.abs(skew - 120)).toBeLessThan(3);
    expect(metrics).toMatch(/planekeeper_agent_status\{[^}]*agent="ahead",status="online"[^}]*\} 1/);
  });
});

describe('work nobody can take', () => {
  it('a scrape job needing a credential no agent holds says so in the API and /metrics, and runs once an agent with it starts', async () => {
    const job = await stack.call('POST', '/api/v1/scrape-jobs', {
      name: 'deployed widget', repoUrl: `${git.url}/deploy`, ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', credentialName: 'github-pat', schedule: '0 0 1 1 *',
    });
    expect(job.status).toBe(201);
    const jobId: string = job.body.id;
    const expected = 'no online agent holds credential "github-pat"';
    const task = await eventually('the pending task, blocked', async () => {
      const tasks = (await stack.call('GET', `/api/v1/tasks?jobId=${jobId}`)).body.items;
      return tasks[0]?.blockedReason === expected ? tasks[0] : undefined;
    });
    expect(task.status).toBe('pending');
    expect((await stack.call('GET', `/api/v1/scrape-jobs/${jobId}`)).body.blockedReason).toBe(expected);
    expect((await stack.call('GET', `/api/v1/tasks/${task.id}`)).body.blockedReason).toBe(expected);
    expect(gaugeValue(await metricsOf('api'), /planekeeper_tasks_blocked\{reason="credential",service="api"\} (\d+)/)).toBe(1);

    await stack.startAgent('holder', {
      AGENT_API_KEY: agentKey,
      AGENT_CAPABILITIES: 'scrape',
      AGENT_CONFIG: writeAgentConfig({ 'github-pat': { type: 'https_pat', token: GIT_TOKEN, hosts: [new URL(git.url).host] } }),
    });
    const done = await eventually('the task run by the new agent', async () => {
      const row = (await stack.call('GET', `/api/v1/tasks/${task.id}`)).body;
      return row.status === 'succeeded' ? row : undefined;
    });
    expect(done.blockedReason).toBeNull();
    expect((await stack.call('GET', `/api/v1/scrape-jobs/${jobId}`)).body.blockedReason).toBeNull();
    expect(gaugeValue(await metricsOf('api'), /planekeeper_tasks_blocked\{reason="credential",service="api"\} (\d+)/)).toBe(0);
    const snapshots = await eventually('the version read', async () => {
      const items = (await stack.call('GET', `/api/v1/scrape-jobs/${jobId}/snapshots`)).body.items;
      return items.length > 0 ? items : undefined;
    });
    expect(snapshots[0].version).toBe('1.4.2');
    // An agent with a true clock is shown in time.
    expect(Math.abs((await agentNamed('holder')).clockSkewSeconds)).toBeLessThan(2);
  });
});

describe('restarts and duplicates', () => {
  it('a restarted agent gets the tasks of its previous process back at once, not when their lease ends', async () => {
    upstream.holding = true;
    await stack.startAgent('restarter', { AGENT_API_KEY: agentKey, AGENT_CAPABILITIES: 'gather' });
    const job = await stack.call('POST', '/api/v1/gather-jobs', {
      name: 'widget releases', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: upstream.url }, schedule: '0 0 1 1 *',
    });
    expect(job.status).toBe(201);
    await eventually('the task held upstream', async () => (upstream.held() === 1 ? true : undefined));
    const held = await stack.db.selectFrom('tasks').selectAll().where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
    expect(held).toMatchObject({ status: 'claimed', attempts: 1 });
    const before = await agentNamed('restarter');

    await stack.kill('restarter');
    const restartedAt = Date.now();
    await stack.startAgent('restarter', {});
    const again = await eventually('the task claimed by the new process', async () => {
      const row = await stack.db.selectFrom('tasks').selectAll().where('id', '=', held.id).executeTakeFirstOrThrow();
      return row.attempts === 2 ? row : undefined;
    });
    const tookMs = Date.now() - restartedAt;
    console.log(`[fleet] restarted agent: its task back and claimed again ${tookMs} ms after the restart (lease 300 s, offline after 90 s)`);
    expect(again).toMatchObject({ status: 'claimed', claimed_by: held.claimed_by });
    expect(again.lease_token).not.toBe(held.lease_token);
    expect(tookMs).toBeLessThan(60_000);
    const after = await agentNamed('restarter');
    expect(after.instanceId).not.toBe(before.instanceId);
    expect(after.duplicateInstances).toBe(false);
    const restarts = logLines(stack.logs, 'api', /^agent restarted/).filter((line) => line.agent === 'restarter');
    expect(restarts).toEqual([expect.objectContaining({ releasedTasks: 1, previousInstanceId: before.instanceId })]);
    expect(logLines(stack.logs, 'taskengine', 'task recovered: back to pending').filter((line) => line.taskId === held.id)).toEqual([]);
    upstream.holding = false;
    upstream.release();
    await eventually('the task finished', async () => {
      const row = await stack.db.selectFrom('tasks').select('status').where('id', '=', held.id).executeTakeFirstOrThrow();
      return row.status === 'succeeded' ? true : undefined;
    });
  });

  it('two live processes under one name are flagged in the API, /metrics and both logs, and release nothing back and forth', async () => {
    await stack.startAgent('twin-a', { AGENT_API_KEY: agentKey, AGENT_NAME: 'twins', AGENT_CAPABILITIES: 'helm_sync' });
    await eventually('the first twin registered', async () => ((await agentNamed('twins'))?.instanceId ? true : undefined));
    await stack.startAgent('twin-b', { AGENT_API_KEY: agentKey, AGENT_NAME: 'twins', AGENT_CAPABILITIES: 'helm_sync' });
    const agent = await eventually('the duplicate flagged', async () => {
      const found = await agentNamed('twins');
      return found?.duplicateInstances ? found : undefined;
    });
    expect(agent.warnings).toEqual([expect.stringMatching(/^duplicate_instances: two or more running processes share this agent's name .*AGENT_NAME/)]);
    for (const twin of ['twin-a', 'twin-b']) {
      await eventually(`${twin} logging the warning`, async () => (logLines(stack.logs, twin, /^the server warns: duplicate_instances/).length === 1 ? true : undefined));
    }
    expect(logLines(stack.logs, 'api', /^duplicate_instances: two running processes share the agent name "twins"/)).toHaveLength(1);
    expect(await metricsOf('api')).toMatch(/planekeeper_agent_duplicate_instances\{[^}]*agent="twins"[^}]*\} 1/);
    // Beats keep alternating (one a second from each): the one release is the second process's
    // first beat, which looks like a restart; none follows while they alternate.
    const beatsSeen = (await stack.db.selectFrom('agents').select('last_heartbeat_at').where('name', '=', 'twins').executeTakeFirstOrThrow()).last_heartbeat_at;
    await eventually('five more seconds of alternating beats', async () => {
      const row = await stack.db.selectFrom('agents').select('last_heartbeat_at').where('name', '=', 'twins').executeTakeFirstOrThrow();
      return row.last_heartbeat_at.getTime() - beatsSeen.getTime() > 5000 ? true : undefined;
    });
    expect(logLines(stack.logs, 'api', /^agent restarted/).filter((line) => line.agent === 'twins').length).toBeLessThanOrEqual(1);
    expect((await agentNamed('twins')).duplicateInstances).toBe(true);
  });
});

describe('monitoring', () => {
  it('every metric the alert rules and the dashboard read is exported by a service', async () => {
    const exported = new Set<string>();
    for (const service of SERVICES) for (const name of exportedMetricNames(await metricsOf(service))) exported.add(name);
    const used = metricsReadByMonitoring();
    expect(used.size).toBeGreaterThan(15);
    const missing = [...used].filter(([name]) => !exported.has(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
    expect(missing).toEqual([]);
  });
});
