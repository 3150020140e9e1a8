import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeScrapeJob, makeTask } from '@planekeeper/db/testing';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;

beforeAll(async () => {
  api = await startApi({ AGENT_OFFLINE_AFTER_SECONDS: '90', AGENT_STALE_AFTER_SECONDS: '45' });
  acme = await makeTenant(api, 'Acme');
});
afterAll(() => api.stop());

const health = { cpuPercent: 3.5, rssBytes: 52_428_800, loadAverage: [0.5, 0.4, 0.3], cacheFreeBytes: 10_000_000_000, runningTasks: 1 };
const base = { version: '1.2.3', hostname: 'host-1', capabilities: ['gather', 'scrape'], credentials: [] as string[], maxConcurrentTasks: 4 };

async function beat(tenant: Tenant, body: Record<string, unknown>) {
  return client(api.url, tenant.keys.agent).post('/api/v1/agent/heartbeat', { ...base, ...body });
}

const agentOf = async (tenant: Tenant, id: string) => (await client(api.url, tenant.keys.viewer).get(`/api/v1/agents/${id}`)).body;
const taskOf = async (id: string) => api.test.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('agent health', () => {
  it('records the latest sample and the clock skew corrected for half the round trip, and warns beyond 30 s', async () => {
    // 120 s ahead; the previous beat took 400 ms there and back.
    const answer = await beat(acme, { name: 'ahead', clock: Date.now() + 120_000 - 200, roundTripMs: 400, health, instanceId: crypto.randomUUID() });
    expect(answer.status).toBe(200);
    expect(answer.body.clockSkewSeconds).toBeGreaterThan(119);
    expect(answer.body.clockSkewSeconds).toBeLessThan(121);
    expect(answer.body.warnings).toEqual([expect.stringMatching(/^clock skew: the agent's clock is 120 s ahead of the server's/)]);
    const agent = await agentOf(acme, answer.body.agentId);
    expect(agent).toMatchObject({ status: 'online', online: true, draining: false, duplicateInstances: false, health: { ...health, sampledAt: expect.any(String) } });
    expect(agent.clockSkewSeconds).toBeCloseTo(answer.body.clockSkewSeconds, 3);
    expect(agent.warnings).toEqual(answer.body.warnings);

    const inTime = await beat(acme, { name: 'in-time', clock: Date.now(), roundTripMs: 2 });
    expect(Math.abs(inTime.body.clockSkewSeconds)).toBeLessThan(2);
    expect((await agentOf(acme, inTime.body.agentId)).warnings).toEqual([]);
    // An agent of an older version sends neither: nothing is made up.
    const old = await beat(acme, { name: 'older' });
    expect(await agentOf(acme, old.body.agentId)).toMatchObject({ clockSkewSeconds: null, health: null, instanceId: null, warnings: [] });
  });

  it('refuses samples out of range with the field at fault, and stores nothing of them', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ health: { ...health, rssBytes: -1 } }, 'health.rssBytes'],
      [{ health: { ...health, cpuPercent: Number.MAX_SAFE_INTEGER } }, 'health.cpuPercent'],
      [{ health: { ...health, loadAverage: [1] } }, 'health.loadAverage'],
      [{ health: { ...health, runningTasks: 9 } }, 'health.runningTasks'],
      [{ clock: Date.now() + 3 * 365 * 86_400_000 }, 'clock'],
      [{ clock: -5 }, 'clock'],
      [{ roundTripMs: -1 }, 'roundTripMs'],
      [{ instanceId: 'not-a-uuid' }, 'instanceId'],
    ];
    for (const [fields, path] of cases) {
      const answer = await beat(acme, { name: 'liar', ...fields });
      expect({ path, status: answer.status, code: answer.body.error.code }).toEqual({ path, status: 400, code: 'validation_failed' });
      expect(answer.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const stored = await api.test.db.selectFrom('agents').select('id').where('name', '=', 'liar').execute();
    expect(stored).toEqual([]);
  });

  it('says stale once a heartbeat is missed and offline at the recovery threshold', async () => {
    const ids = await Promise.all(['beating', 'missed-one', 'gone'].map(async (name) => (await beat(acme, { name })).body.agentId as string));
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    await api.test.db.updateTable('agents').set({ last_heartbeat_at: ago(60) }).where('id', '=', ids[1]!).execute();
    await api.test.db.updateTable('agents').set({ last_heartbeat_at: ago(600), draining: true }).where('id', '=', ids[2]!).execute();
    expect((await agentOf(acme, ids[0]!)).status).toBe('online');
    expect(await agentOf(acme, ids[1]!)).toMatchObject({ status: 'stale', online: true });
    expect(await agentOf(acme, ids[2]!)).toMatchObject({ status: 'offline', online: false, draining: true });
  });
});

describe('agent restarts and duplicates', () => {
  it('gives the tasks of the previous instance back at once when a new instance starts', async () => {
    const first = crypto.randomUUID();
    const agentId = (await beat(acme, { name: 'restarting', instanceId: first })).body.agentId as string;
    const job = await makeGatherJob(api.test.db, acme.organizationId);
    const held = await makeTask(api.test.db, acme.organizationId, job.id, { status: 'claimed', claimed_by: agentId, lease_token: crypto.randomUUID(), lease_expires_at: new Date(Date.now() + 300_000) });
    // The same instance again: nothing moves.
    await beat(acme, { name: 'restarting', instanceId: first });
    expect((await taskOf(held.id)).status).toBe('claimed');
    const second = await beat(acme, { name: 'restarting', instanceId: crypto.randomUUID() });
    expect(second.body.warnings).toEqual([]);
    expect(await taskOf(held.id)).toMatchObject({ status: 'pending', claimed_by: null, lease_token: null });
    expect(api.logs.some((line) => line.includes('agent restarted'))).toBe(true);
  });

  it('flags two live processes under one name and releases nothing back and forth', async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const agentId = (await beat(acme, { name: 'twins', instanceId: a })).body.agentId as string;
    await beat(acme, { name: 'twins', instanceId: b });
    const job = await makeGatherJob(api.test.db, acme.organizationId);
    const held = await makeTask(api.test.db, acme.organizationId, job.id, { status: 'claimed', claimed_by: agentId, lease_token: crypto.randomUUID(), lease_expires_at: new Date(Date.now() + 300_000) });
    for (const instanceId of [a, b, a, b, b, a]) {
      const answer = await beat(acme, { name: 'twins', instanceId });
      expect(answer.body.warnings).toEqual([expect.stringMatching(/^duplicate_instances: .*AGENT_NAME/)]);
    }
    expect((await taskOf(held.id)).status).toBe('claimed');
    const agent = await agentOf(acme, agentId);
    expect(agent).toMatchObject({ duplicateInstances: true, warnings: [expect.stringMatching(/^duplicate_instances/)] });
    expect(api.logs.filter((line) => line.includes('duplicate_instances: two running processes share the agent name \\"twins\\"'))).toHaveLength(1);
    const metrics = await (await fetch(`${api.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`planekeeper_agent_duplicate_instances\\{[^}]*organization_id="${acme.organizationId}",agent="twins"[^}]*\\} 1`));
  });
});

describe('work nobody can take', () => {
  it('says why on the task, its job and in /metrics, and clears when a capable agent appears', async () => {
    const org = await makeTenant(api, 'Blocked');
    const job = await makeScrapeJob(api.test.db, org.organizationId, { credential_name: 'github-pat' });
    const task = await makeTask(api.test.db, org.organizationId, job.id, { kind: 'scrape', gather_job_id: null, scrape_job_id: job.id, credential_name: 'github-pat' });
    const viewer = client(api.url, org.keys.viewer);
    const reason = async () => [(await viewer.get(`/api/v1/tasks/${task.id}`)).body.blockedReason, (await viewer.get(`/api/v1/scrape-jobs/${job.id}`)).body.blockedReason];

    expect(await reason()).toEqual(['no online agent that is not draining', 'no online agent that is not draining']);
    await beat(org, { name: 'gatherer', capabilities: ['gather'] });
    expect((await reason())[0]).toBe('no online, non-draining agent runs scrape tasks');
    await beat(org, { name: 'scraper', capabilities: ['scrape'], credentials: ['other'] });
    // Another organization's agent holding a credential of that name unblocks nothing here.
    await beat(acme, { name: 'elsewhere', capabilities: ['scrape'], credentials: ['github-pat'] });
    expect(await reason()).toEqual(['no online agent holds credential "github-pat"', 'no online agent holds credential "github-pat"']);
    expect((await viewer.get(`/api/v1/tasks?jobId=${job.id}`)).body.items[0].blockedReason).toBe('no online agent holds credential "github-pat"');
    expect((await viewer.get('/api/v1/scrape-jobs')).body.items.find((j: { id: string }) => j.id === job.id).blockedReason).toBe('no online agent holds credential "github-pat"');
    const metrics = await (await fetch(`${api.opsUrl}/metrics`)).text();
    expect(Number(/planekeeper_tasks_blocked\{reason="credential",service="api"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);

    // An agent holding it, but draining, does not count; uncordoned, it does.
    const holder = (await beat(org, { name: 'holder', capabilities: ['scrape'], credentials: ['github-pat'] })).body.agentId as string;
    expect(await reason()).toEqual([null, null]);
    await client(api.url, org.keys.member).post(`/api/v1/agents/${holder}/drain`);
    expect((await reason())[0]).toBe('no online agent holds credential "github-pat"');
    await client(api.url, org.keys.member).post(`/api/v1/agents/${holder}/uncordon`);
    expect(await reason()).toEqual([null, null]);
  });
});
