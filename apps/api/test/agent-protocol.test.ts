import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeScrapeJob } from '@planekeeper/db/testing';
import { sql } from 'kysely';
import { client, makeTenant, queuedPayloads, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi({ AGENT_LEASE_SECONDS: '120' });
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

const heartbeat = (name: string, overrides: Record<string, unknown> = {}) => ({
  name, version: '1.0.0', hostname: `${name}.site`, capabilities: ['gather', 'scrape', 'helm_sync'], credentials: [], maxConcurrentTasks: 50, ...overrides,
});

async function register(tenant: Tenant, name: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await client(api.url, tenant.keys.agent).post('/api/v1/agent/heartbeat', heartbeat(name, overrides));
  expect(answer.status).toBe(200);
  return answer.body.agentId as string;
}

/** Pending tasks straight in the database: one gather job (and task) each. */
async function makePendingTasks(tenant: Tenant, count: number, overrides: { credential_name?: string | null; kind?: 'gather' | 'scrape' } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = Math.min(200, count - i);
    const jobs = await Promise.all(
      Array.from({ length: batch }, () =>
        overrides.kind === 'scrape' ? makeScrapeJob(api.test.db, tenant.organizationId) : makeGatherJob(api.test.db, tenant.organizationId),
      ),
    );
    const rows = await api.test.db
      .insertInto('tasks')
      .values(jobs.map((job) => ({
        organization_id: tenant.organizationId,
        kind: overrides.kind ?? 'gather',
        gather_job_id: overrides.kind === 'scrape' ? null : job.id,
        scrape_job_id: overrides.kind === 'scrape' ? job.id : null,
        spec: JSON.stringify({ sourceType: 'github_release', source: { owner: 'o', repo: 'r' }, tagFilter: null, etag: null }),
        credential_name: overrides.credential_name ?? null,
      })))
      .returning('id')
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

async function clearTasks(): Promise<void> {
  await api.test.db.deleteFrom('tasks').execute();
}

describe('heartbeat', () => {
  it('registers an agent by organization and name and refreshes it on the next beat', async () => {
    const first = await register(acme, 'site-west');
    const again = await client(api.url, acme.keys.agent).post('/api/v1/agent/heartbeat', heartbeat('site-west', { version: '1.1.0' }));
    expect(again.body.agentId).toBe(first);
    expect(again.body.pollIntervalSeconds).toBe(30);
    expect(Date.parse(again.body.serverTime)).not.toBeNaN();
    const row = await api.test.db.selectFrom('agents').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
    expect(row.version).toBe('1.1.0');
    expect(await register(globex, 'site-west')).not.toBe(first);
  });

  it('is refused to non-agent keys and validated', async () => {
    expect((await client(api.url, acme.keys.admin).post('/api/v1/agent/heartbeat', heartbeat('x'))).status).toBe(403);
    const bad = await client(api.url, acme.keys.agent).post('/api/v1/agent/heartbeat', heartbeat('x', { capabilities: ['mining'] }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toMatch(/^capabilities/);
  });
});

describe('claim', () => {
  it('gives every one of 1,000 tasks to exactly one of 20 agents claiming at once', async () => {
    await clearTasks();
    const taskIds = await makePendingTasks(acme, 1000);
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => register(acme, `fleet-${i}`)));
    const claimedBy = new Map<string, string[]>();
    await Promise.all(
      agents.map(async (agentId) => {
        const agent = client(api.url, acme.keys.agent);
        for (;;) {
          const answer = await agent.post('/api/v1/agent/tasks/claim', { agentId, max: 7, wait: 0 });
          if (answer.status === 204) return;
          expect(answer.status).toBe(200);
          for (const task of answer.body.tasks as Array<{ id: string }>) claimedBy.set(task.id, [...(claimedBy.get(task.id) ?? []), agentId]);
        }
      }),
    );
    expect(claimedBy.size).toBe(1000);
    expect([...claimedBy.values()].every((owners) => owners.length === 1)).toBe(true);
    expect(new Set(claimedBy.keys())).toEqual(new Set(taskIds));
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM tasks WHERE status = 'claimed' AND lease_token IS NOT NULL`.execute(api.test.db);
    expect(Number(rows[0]!.n)).toBe(1000);
  });

  it('gives a task that needs a credential only to an agent that declared it, and respects capabilities', async () => {
    await clearTasks();
    const [secret] = await makePendingTasks(acme, 1, { credential_name: 'corp-ghe' });
    const [scrape] = await makePendingTasks(acme, 1, { kind: 'scrape' });
    const plain = await register(acme, 'no-creds', { capabilities: ['gather'] });
    const holder = await register(acme, 'with-creds', { capabilities: ['gather'], credentials: ['corp-ghe'] });
    const scraper = await register(acme, 'scraper', { capabilities: ['scrape'] });
    const agent = client(api.url, acme.keys.agent);
    expect((await agent.post('/api/v1/agent/tasks/claim', { agentId: plain, max: 5 })).status).toBe(204);
    const got = await agent.post('/api/v1/agent/tasks/claim', { agentId: holder, max: 5 });
    expect(got.body.tasks.map((t: { id: string }) => t.id)).toEqual([secret]);
    expect(got.body.tasks[0]).toMatchObject({ kind: 'gather', credentialName: 'corp-ghe', leaseToken: expect.any(String), spec: { sourceType: 'github_release' } });
    const scraped = await agent.post('/api/v1/agent/tasks/claim', { agentId: scraper, max: 5 });
    expect(scraped.body.tasks.map((t: { id: string }) => t.id)).toEqual([scrape]);
  });

  it('gives a draining agent nothing, and work again once uncordoned', async () => {
    await clearTasks();
    await makePendingTasks(acme, 2);
    const agentId = await register(acme, 'draining');
    await api.test.db.updateTable('agents').set({ draining: true }).where('id', '=', agentId).execute();
    const agent = client(api.url, acme.keys.agent);
    expect((await agent.post('/api/v1/agent/tasks/claim', { agentId, max: 5 })).status).toBe(204);
    await api.test.db.updateTable('agents').set({ draining: false }).where('id', '=', agentId).execute();
    expect((await agent.post('/api/v1/agent/tasks/claim', { agentId, max: 5 })).body.tasks).toHaveLength(2);
  });

  it('wakes an idle long-polling agent as soon as a task becomes pending', async () => {
    await clearTasks();
    const agentId = await register(acme, 'idle');
    const started = Date.now();
    const waiting = client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId, max: 1, wait: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const [taskId] = await makePendingTasks(acme, 1);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body.tasks[0].id).toBe(taskId);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('answers 204 after the wait when nothing comes, and never hands over another organization\'s tasks', async () => {
    await clearTasks();
    await makePendingTasks(globex, 3);
    const agentId = await register(acme, 'patient');
    const started = Date.now();
    const answer = await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId, max: 5, wait: 1 });
    expect(answer.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const globexAgent = await register(globex, 'theirs');
    expect((await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId: globexAgent, max: 5 })).status).toBe(404);
  });
});

describe('reports', () => {
  async function claimOne(kind: 'gather' | 'scrape' = 'gather') {
    await clearTasks();
    await makePendingTasks(acme, 1, { kind });
    const agentId = await register(acme, `reporter-${kind}`);
    const answer = await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId, max: 1 });
    return answer.body.tasks[0] as { id: string; leaseToken: string };
  }
  const gatherResult = { releases: [{ tag: 'v1.30.0', publishedAt: '2026-10-01T00:00:00Z', prerelease: false, url: 'https://example.com/r' }] };

  it('stores a result and enqueues task.completed in one go', async () => {
    const task = await claimOne();
    const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: gatherResult });
    expect(answer.status).toBe(202);
    const row = await api.test.db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'succeeded', lease_token: null, result: gatherResult });
    expect(await queuedPayloads(api, 'task.completed')).toContainEqual({ organizationId: acme.organizationId, taskId: task.id });
  });

  it('refuses a stale lease after recovery with 409 and changes nothing', async () => {
    const task = await claimOne();
    // Recovery: the task goes back to pending and another agent claims it.
    await api.test.db.updateTable('tasks').set({ status: 'pending', lease_token: null, claimed_by: null }).where('id', '=', task.id).execute();
    const other = await register(acme, 'rescuer');
    const reclaimed = await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId: other, max: 1 });
    expect(reclaimed.body.tasks[0].id).toBe(task.id);
    const before = await api.test.db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    const jobsBefore = (await queuedPayloads(api, 'task.completed')).length;
    for (const path of ['result', 'failure', 'lease']) {
      const body = path === 'result' ? { leaseToken: task.leaseToken, result: gatherResult } : path === 'failure' ? { leaseToken: task.leaseToken, error: { message: 'late', retryable: true } } : { leaseToken: task.leaseToken };
      const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/${path}`, body);
      expect(answer.status).toBe(409);
      expect(answer.body.error.code).toBe('conflict');
    }
    expect(await api.test.db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow()).toEqual(before);
    expect((await queuedPayloads(api, 'task.completed')).length).toBe(jobsBefore);
  });

  it('refuses a result of the wrong kind with 400', async () => {
    const task = await claimOne('scrape');
    const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: gatherResult });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details[0].path).toBe('result');
  });

  it('records a failure with its message', async () => {
    const task = await claimOne();
    const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/failure`, { leaseToken: task.leaseToken, error: { message: 'GitHub rate limit exceeded', retryable: true } });
    expect(answer.status).toBe(202);
    const row = await api.test.db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', error: 'GitHub rate limit exceeded', lease_token: null });
  });

  it('renews a lease while the task is held', async () => {
    const task = await claimOne();
    const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/lease`, { leaseToken: task.leaseToken });
    expect(answer.status).toBe(200);
    expect(Date.parse(answer.body.leaseExpiresAt)).toBeGreaterThan(Date.now() + 100_000);
  });

  it("answers 404 for another organization's task", async () => {
    const task = await claimOne();
    const answer = await client(api.url, globex.keys.agent).post(`/api/v1/agent/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: gatherResult });
    expect(answer.status).toBe(404);
  });
});

describe('health', () => {
  it('answers without a key', async () => {
    const answer = await client(api.url).get('/api/v1/agent/health');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
  });
});
