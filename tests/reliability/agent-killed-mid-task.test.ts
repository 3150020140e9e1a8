/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGithubApi, type GithubApiStandIn, type GithubRelease } from '../../apps/agent/test/helpers/github-api.ts';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.ts';
import { startQueueSupervisor, type QueueSupervisor } from '../support/queue-supervisor.ts';
import { eventually, logLines, startStack, type Stack } from '../support/stack.ts';

// An agent is SIGKILLed while its gather task waits on a stalled upstream. The task must come
// back (the agent stops heart-beating: offline after 3 s), be finished by another agent, be
// applied once, and the dead agent's lease must be worthless afterwards.

function release(tag: string, daysAgo: number): GithubRelease {
  const date = new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return { id: Math.floor(Math.random() * 1e9), tag_name: tag, name: tag, draft: false, prerelease: false, created_at: date, published_at: date, html_url: `https://github.com/acme/widget/releases/tag/${tag}`, body: '' };
}

let stack: Stack;
let github: GithubApiStandIn;
let upstream: HoldingProxy;
let queues: QueueSupervisor;

beforeAll(async () => {
  github = await startGithubApi();
  github.repos.set('acme/widget', [release('v1.3.0', 10), release('v1.2.0', 40), release('v1.1.0', 80)]);
  upstream = await startHoldingProxy(github.url);
  stack = await startStack({ env: { AGENT_OFFLINE_AFTER_SECONDS: '3', TASKENGINE_ORPHAN_CHECK_SECONDS: '0.5' } });
  queues = await startQueueSupervisor(stack.url);
}, 90_000);

afterAll(async () => {
  await queues?.stop();
  await stack?.stop();
  await Promise.all([upstream?.close(), github?.close()]);
});

describe('an agent killed with SIGKILL in the middle of a task', () => {
  it('is recovered, finished by another agent, applied exactly once, and the dead lease gets 409', async () => {
    const { call, db } = stack;
    const key = await call('POST', '/api/v1/api-keys', { name: 'site agents', role: 'agent' });
    expect(key.status).toBe(201);
    const agentKey: string = key.body.key;

    upstream.holding = true;
    await stack.startAgent('agent-a', { AGENT_API_KEY: agentKey });
    const job = await call('POST', '/api/v1/gather-jobs', {
      name: 'widget releases', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: upstream.url }, schedule: '0 0 1 1 *',
    });
    expect(job.status).toBe(201);
    const jobId: string = job.body.id;

    // Agent A has claimed the task and is waiting on GitHub: the middle of the task.
    await eventually('agent A waiting on the upstream', async () => (upstream.held() === 1 ? true : undefined), 30_000);
    const claimed = await db.selectFrom('tasks').innerJoin('agents', 'agents.id', 'tasks.claimed_by').select(['tasks.id', 'tasks.status', 'tasks.lease_token', 'tasks.attempts', 'agents.name']).where('tasks.job_id', '=', jobId).executeTakeFirstOrThrow();
    expect(claimed).toMatchObject({ status: 'claimed', name: 'agent-a', attempts: 1 });
    const deadLease = claimed.lease_token!;
    const taskId = claimed.id;

    await stack.kill('agent-a');
    const killedAt = Date.now();
    upstream.holding = false;
    upstream.release();
    await stack.startAgent('agent-b', { AGENT_API_KEY: agentKey });

    const done = await eventually('the task finished by agent B', async () => {
      const row = await db.selectFrom('tasks').innerJoin('agents', 'agents.id', 'tasks.claimed_by').select(['tasks.status', 'tasks.attempts', 'tasks.result', 'tasks.completed_at', 'tasks.ingested_at', 'agents.name']).where('tasks.id', '=', taskId).executeTakeFirst();
      return row?.status === 'succeeded' && row.ingested_at !== null ? row : undefined;
    }, 45_000);
    const recoveredInMs = Date.now() - killedAt;
    expect(done).toMatchObject({ name: 'agent-b', attempts: 2 });
    const recoveries = logLines(stack.logs, 'taskengine', 'task recovered: back to pending').filter((l) => l.taskId === taskId);
    expect(recoveries.map((l) => l.reason)).toEqual(['agent_offline']);

    // Exactly one result applied: one task for the job, one accepted report (one task.completed
    // message is committed with each accepted result), one set of releases.
    const tasks = await db.selectFrom('tasks').select(['id', 'status']).where('job_id', '=', jobId).execute();
    expect(tasks).toEqual([{ id: taskId, status: 'succeeded' }]);
    expect(await queues.jobs('task.completed', { field: 'taskId', value: taskId })).toHaveLength(1);
    const tagsOf = async () => (await db.selectFrom('releases').select('tag').where('gather_job_id', '=', jobId).orderBy('tag').execute()).map((r) => r.tag);
    expect(await tagsOf()).toEqual(['v1.1.0', 'v1.2.0', 'v1.3.0']);

    // The dead agent's lease, replayed late (a report that was in flight when it died): 409, nothing changes.
    const late = await fetch(`${stack.api().url}/api/v1/agent/tasks/${taskId}/result`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ leaseToken: deadLease, result: { releases: [{ tag: 'v9.9.9', publishedAt: new Date().toISOString(), prerelease: false, url: null }] } }),
    });
    expect(late.status).toBe(409);
    expect(((await late.json()) as any).error.code).toBe('conflict');
    for (const [route, body] of [['failure', { leaseToken: deadLease, error: { message: 'late', retryable: true } }], ['lease', { leaseToken: deadLease }]] as const) {
      const answer = await fetch(`${stack.api().url}/api/v1/agent/tasks/${taskId}/${route}`, {
        method: 'POST', headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect([route, answer.status]).toEqual([route, 409]);
    }
    const after = await db.selectFrom('tasks').select(['status', 'result', 'completed_at', 'attempts']).where('id', '=', taskId).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'succeeded', result: done.result, completed_at: done.completed_at, attempts: 2 });
    expect(await queues.jobs('task.completed', { field: 'taskId', value: taskId })).toHaveLength(1);
    expect(await tagsOf()).toEqual(['v1.1.0', 'v1.2.0', 'v1.3.0']);

    console.log(`[reliability] agent killed mid-task: 1 SIGKILL, recovered (agent_offline) and completed by agent-b in ${recoveredInMs} ms, ` +
      `upstream requests ${upstream.requests.length}, task.completed messages 1, late reports refused 3 (result, failure, lease: 409)`);
  }, 90_000);
});
