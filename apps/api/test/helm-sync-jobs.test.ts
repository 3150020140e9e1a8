import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeGatherJob } from '@planekeeper/db/testing';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

const sync = { name: 'bitnami', repoUrl: 'https://charts.example.com/bitnami', chartFilter: '^(nginx|redis)$', schedule: '0 3 * * *' };

const secondsFromNow = (iso: string) => (Date.parse(iso) - Date.now()) / 1000;
const paths = (answer: { body: { error: { details: Array<{ path: string }> } } }) => answer.body.error.details.map((d) => d.path);

async function createSync(tenant: Tenant, body: object = sync): Promise<string> {
  const answer = await client(api.url, tenant.keys.member).post('/api/v1/helm-sync-jobs', body);
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

describe('helm sync jobs', () => {
  it('are created (gather schedule defaulting to the sync schedule, due at once), read, updated and deleted', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/helm-sync-jobs', sync);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...sync, gatherSchedule: '0 3 * * *', credentialName: null, enabled: true, lastRunAt: null });
    expect(Math.abs(secondsFromNow(created.body.nextRunAt))).toBeLessThan(5);
    const id = created.body.id as string;
    const explicit = await member.post('/api/v1/helm-sync-jobs', { ...sync, gatherSchedule: '0 */6 * * *' });
    expect(explicit.body.gatherSchedule).toBe('0 */6 * * *');
    const updated = await member.patch(`/api/v1/helm-sync-jobs/${id}`, { chartFilter: null, name: 'all charts' });
    expect(updated.body).toMatchObject({ chartFilter: null, name: 'all charts' });
    expect((await member.get(`/api/v1/helm-sync-jobs/${id}`)).body.name).toBe('all charts');
    expect((await member.delete(`/api/v1/helm-sync-jobs/${id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/helm-sync-jobs/${id}`)).status).toBe(404);
  });

  it('deleted, leave the gather jobs they made as ordinary gather jobs', async () => {
    const id = await createSync(acme);
    const chartJob = await makeGatherJob(api.test.db, acme.organizationId, {
      source_type: 'helm_repo', source: JSON.stringify({ repoUrl: sync.repoUrl, chart: 'nginx' }), helm_sync_job_id: id, helm_chart: 'nginx',
    });
    const member = client(api.url, acme.keys.member);
    expect((await member.get(`/api/v1/gather-jobs?helmSyncJobId=${id}`)).body.items.map((j: { id: string }) => j.id)).toEqual([chartJob.id]);
    expect((await member.delete(`/api/v1/helm-sync-jobs/${id}`)).status).toBe(204);
    const kept = await member.get(`/api/v1/gather-jobs/${chartJob.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.helmSyncJobId).toBeNull();
  });

  it('run at once when what they sync changes; a disabled one is not scheduled', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createSync(acme);
    await api.test.db.updateTable('helm_sync_jobs').set({ next_run_at: new Date(Date.now() + 3_600_000) }).where('id', '=', id).execute();
    const renamed = await member.patch(`/api/v1/helm-sync-jobs/${id}`, { name: 'renamed' });
    expect(secondsFromNow(renamed.body.nextRunAt)).toBeGreaterThan(3000);
    const regathered = await member.patch(`/api/v1/helm-sync-jobs/${id}`, { gatherSchedule: '0 * * * *' });
    expect(Math.abs(secondsFromNow(regathered.body.nextRunAt))).toBeLessThan(5);
    const disabled = await member.patch(`/api/v1/helm-sync-jobs/${id}`, { enabled: false });
    expect(disabled.body.nextRunAt).toBeNull();
  });

  it('refuse bad bodies, naming the fields at fault', async () => {
    const member = client(api.url, acme.keys.member);
    const bad = await member.post('/api/v1/helm-sync-jobs', { name: '', repoUrl: 'oci://registry.example/charts', chartFilter: '(', schedule: '* *' });
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(expect.arrayContaining(['name', 'repoUrl', 'chartFilter', 'schedule']));
    const id = await createSync(acme);
    expect(paths(await member.patch(`/api/v1/helm-sync-jobs/${id}`, { gatherSchedule: 'daily' }))).toEqual(['gatherSchedule']);
    expect(paths(await member.get('/api/v1/helm-sync-jobs?enabled=1'))).toEqual(['query.enabled']);
  });

  it('list newest first, filtered by enabled', async () => {
    const tenant = await makeTenant(api);
    const on = await createSync(tenant);
    const off = await createSync(tenant, { ...sync, enabled: false });
    const viewer = client(api.url, tenant.keys.viewer);
    expect((await viewer.get('/api/v1/helm-sync-jobs')).body.items.map((j: { id: string }) => j.id)).toEqual([off, on]);
    expect((await viewer.get('/api/v1/helm-sync-jobs?enabled=true')).body.items.map((j: { id: string }) => j.id)).toEqual([on]);
    const page = await viewer.get('/api/v1/helm-sync-jobs?limit=1');
    expect((await viewer.get(`/api/v1/helm-sync-jobs?limit=1&cursor=${page.body.nextCursor}`)).body).toEqual({ items: [expect.objectContaining({ id: on })], nextCursor: null });
  });
});

describe('run now', () => {
  it('makes one pending task carrying the repository and filter, then answers the open one; refuses a disabled sync', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createSync(acme, { ...sync, credentialName: 'charts-basic' });
    const first = await member.post(`/api/v1/helm-sync-jobs/${id}/run`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ kind: 'helm_sync', jobId: id, status: 'pending', credentialName: 'charts-basic' });
    const second = await member.post(`/api/v1/helm-sync-jobs/${id}/run`);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const task = await api.test.db.selectFrom('tasks').select('spec').where('id', '=', first.body.id).executeTakeFirstOrThrow();
    expect(task.spec).toEqual({ repoUrl: sync.repoUrl, chartFilter: sync.chartFilter });
    await member.patch(`/api/v1/helm-sync-jobs/${id}`, { enabled: false });
    const refused = await member.post(`/api/v1/helm-sync-jobs/${id}/run`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/disabled/);
  });
});

describe('access', () => {
  it('lets a viewer read but not write, and keeps agent keys out', async () => {
    const id = await createSync(acme);
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get(`/api/v1/helm-sync-jobs/${id}`)).status).toBe(200);
    expect((await viewer.post('/api/v1/helm-sync-jobs', sync)).status).toBe(403);
    expect((await viewer.patch(`/api/v1/helm-sync-jobs/${id}`, { name: 'x' })).status).toBe(403);
    expect((await viewer.post(`/api/v1/helm-sync-jobs/${id}/run`)).status).toBe(403);
    expect((await viewer.delete(`/api/v1/helm-sync-jobs/${id}`)).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).get('/api/v1/helm-sync-jobs')).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).post(`/api/v1/helm-sync-jobs/${id}/run`)).status).toBe(403);
    expect((await viewer.get(`/api/v1/helm-sync-jobs/${id}`)).body.name).toBe(sync.name);
    expect(await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', id).execute()).toEqual([]);
  });

  it("answers 404 for another organization's sync on every route and changes nothing", async () => {
    const theirs = await createSync(globex);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/helm-sync-jobs/${theirs}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/helm-sync-jobs/${theirs}`, { enabled: false })).status).toBe(404);
    expect((await ours.post(`/api/v1/helm-sync-jobs/${theirs}/run`)).status).toBe(404);
    expect((await ours.delete(`/api/v1/helm-sync-jobs/${theirs}`)).status).toBe(404);
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/helm-sync-jobs/${theirs}`)).body.enabled).toBe(true);
    expect(await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', theirs).execute()).toEqual([]);
  });
});
