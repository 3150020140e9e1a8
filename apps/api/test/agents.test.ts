import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob, makeTask } from '@planekeeper/db/testing';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi({ AGENT_OFFLINE_AFTER_SECONDS: '90' });
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

async function heartbeat(tenant: Tenant, name: string): Promise<string> {
  const answer = await client(api.url, tenant.keys.agent).post('/api/v1/agent/heartbeat', {
    name, version: '1.2.3', hostname: 'host-1', capabilities: ['gather', 'scrape'], credentials: ['corp-ghe'], maxConcurrentTasks: 4,
  });
  return answer.body.agentId as string;
}

describe('agents', () => {
  it('are listed with online status from their heartbeats', async () => {
    const fresh = await heartbeat(acme, 'fresh');
    const stale = await heartbeat(acme, 'stale');
    await api.test.db.updateTable('agents').set({ last_heartbeat_at: new Date(Date.now() - 10 * 60_000) }).where('id', '=', stale).execute();
    const list = await client(api.url, acme.keys.viewer).get('/api/v1/agents');
    expect(list.status).toBe(200);
    const byId = new Map(list.body.items.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(fresh)).toMatchObject({ name: 'fresh', online: true, draining: false, credentials: ['corp-ghe'], capabilities: ['gather', 'scrape'], maxConcurrentTasks: 4 });
    expect(byId.get(stale)).toMatchObject({ name: 'stale', online: false });
  });

  it('are drained and uncordoned by members, not viewers', async () => {
    const id = await heartbeat(acme, 'maintenance');
    expect((await client(api.url, acme.keys.viewer).post(`/api/v1/agents/${id}/drain`)).status).toBe(403);
    const drained = await client(api.url, acme.keys.member).post(`/api/v1/agents/${id}/drain`);
    expect(drained.status).toBe(200);
    expect(drained.body.draining).toBe(true);
    const back = await client(api.url, acme.keys.member).post(`/api/v1/agents/${id}/uncordon`);
    expect(back.body.draining).toBe(false);
  });

  it('when deleted, give back the tasks they held', async () => {
    const id = await heartbeat(acme, 'doomed');
    const job = await makeGatherJob(api.test.db, acme.organizationId);
    const task = await makeTask(api.test.db, acme.organizationId, job.id, { status: 'claimed', claimed_by: id, lease_token: crypto.randomUUID() });
    expect((await client(api.url, acme.keys.admin).delete(`/api/v1/agents/${id}`)).status).toBe(204);
    const row = await api.test.db.selectFrom('tasks').selectAll().where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', claimed_by: null, lease_token: null });
    expect((await client(api.url, acme.keys.admin).get(`/api/v1/agents/${id}`)).status).toBe(404);
  });

  it("answer 404 for another organization's agent and change nothing", async () => {
    const theirs = await heartbeat(globex, 'theirs');
    const ours = client(api.url, acme.keys.admin);
    for (const answer of [
      await ours.get(`/api/v1/agents/${theirs}`),
      await ours.post(`/api/v1/agents/${theirs}/drain`),
      await ours.delete(`/api/v1/agents/${theirs}`),
    ]) expect(answer.status).toBe(404);
    const row = await api.test.db.selectFrom('agents').selectAll().where('id', '=', theirs).executeTakeFirstOrThrow();
    expect(row.draining).toBe(false);
  });
});
