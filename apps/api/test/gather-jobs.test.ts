import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlertConfig, makeReleases, makeTask } from '@planekeeper/db/testing';
import { client, makeTenant, queuedPayloads, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
});
afterAll(() => api.stop());

const github = { name: 'kubernetes', sourceType: 'github_release', source: { owner: 'kubernetes', repo: 'kubernetes' }, schedule: '0 */6 * * *' };
const helm = { name: 'nginx chart', sourceType: 'helm_repo', source: { repoUrl: 'https://charts.example.com/stable', chart: 'nginx' }, schedule: '0 3 * * *' };

const secondsFromNow = (iso: string) => (Date.parse(iso) - Date.now()) / 1000;
const paths = (answer: { body: { error: { details: Array<{ path: string }> } } }) => answer.body.error.details.map((d) => d.path);

async function createJob(tenant: Tenant, body: object = github): Promise<string> {
  const answer = await client(api.url, tenant.keys.member).post('/api/v1/gather-jobs', body);
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

describe('gather jobs', () => {
  it('are created (due at once), read, updated and deleted by a member', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/gather-jobs', { ...github, tagFilter: '^v1\\.', credentialName: 'github-app' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...github, tagFilter: '^v1\\.', credentialName: 'github-app', enabled: true, lastRunAt: null, helmSyncJobId: null, id: expect.any(String),
    });
    expect(Math.abs(secondsFromNow(created.body.nextRunAt))).toBeLessThan(5);
    const id = created.body.id as string;
    expect((await member.get(`/api/v1/gather-jobs/${id}`)).body.source).toEqual(github.source);
    const renamed = await member.patch(`/api/v1/gather-jobs/${id}`, { name: 'k8s', tagFilter: null });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'k8s', tagFilter: null, credentialName: 'github-app' });
    expect((await member.delete(`/api/v1/gather-jobs/${id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/gather-jobs/${id}`)).status).toBe(404);
  });

  it('a disabled job is created unscheduled; re-enabling it makes it due at once', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/gather-jobs', { ...github, enabled: false });
    expect(created.body).toMatchObject({ enabled: false, nextRunAt: null });
    const enabled = await member.patch(`/api/v1/gather-jobs/${created.body.id}`, { enabled: true });
    expect(Math.abs(secondsFromNow(enabled.body.nextRunAt))).toBeLessThan(5);
  });

  it('a new schedule counts from now; an unrelated change keeps the planned run', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme);
    await api.test.db.updateTable('gather_jobs').set({ next_run_at: new Date(Date.now() + 3_600_000) }).where('id', '=', id).execute();
    const renamed = await member.patch(`/api/v1/gather-jobs/${id}`, { name: 'renamed' });
    expect(secondsFromNow(renamed.body.nextRunAt)).toBeGreaterThan(3000);
    const rescheduled = await member.patch(`/api/v1/gather-jobs/${id}`, { schedule: '* * * * *' });
    const next = new Date(rescheduled.body.nextRunAt);
    expect(next.getUTCSeconds()).toBe(0);
    expect(secondsFromNow(rescheduled.body.nextRunAt)).toBeGreaterThan(0);
    expect(secondsFromNow(rescheduled.body.nextRunAt)).toBeLessThanOrEqual(60);
  });

  it('a new source forgets the old releases and ETag, runs at once and updates the waiting task', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme);
    await makeReleases(api.test.db, acme.organizationId, id, [{ tag: 'v1.0.0', publishedAt: '2025-01-01T00:00:00Z', prerelease: false }]);
    await api.test.db.updateTable('gather_jobs').set({ etag: 'W/"abc"', next_run_at: new Date(Date.now() + 3_600_000) }).where('id', '=', id).execute();
    const run = await member.post(`/api/v1/gather-jobs/${id}/run`);
    expect(run.status).toBe(202);
    const source = { owner: 'kubernetes', repo: 'kubectl' };
    const updated = await member.patch(`/api/v1/gather-jobs/${id}`, { source });
    expect(updated.status).toBe(200);
    expect(updated.body.source).toEqual(source);
    expect(Math.abs(secondsFromNow(updated.body.nextRunAt))).toBeLessThan(5);
    const job = await api.test.db.selectFrom('gather_jobs').select('etag').where('id', '=', id).executeTakeFirstOrThrow();
    expect(job.etag).toBeNull();
    expect((await member.get(`/api/v1/gather-jobs/${id}/releases`)).body.items).toEqual([]);
    const task = await api.test.db.selectFrom('tasks').select('spec').where('id', '=', run.body.id).executeTakeFirstOrThrow();
    expect(task.spec).toEqual({ sourceType: 'github_release', source, tagFilter: null, etag: null });
    expect(await queuedPayloads(api, 'evaluate')).toContainEqual({ organizationId: acme.organizationId, reason: 'gather_job_changed', target: { gatherJobId: id } });
  });

  it('disabling a job ends its pending task', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme);
    const run = await member.post(`/api/v1/gather-jobs/${id}/run`);
    const disabled = await member.patch(`/api/v1/gather-jobs/${id}`, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, nextRunAt: null });
    const task = (await member.get(`/api/v1/tasks/${run.body.id}`)).body;
    expect(task).toMatchObject({ status: 'failed', error: expect.stringMatching(/disabled/) });
    expect((await member.post(`/api/v1/gather-jobs/${id}/run`)).status).toBe(409);
  });

  it('list newest first, filtered by source type and enabled, page by page', async () => {
    const tenant = await makeTenant(api);
    const ids = [await createJob(tenant), await createJob(tenant, helm), await createJob(tenant, { ...github, enabled: false }), await createJob(tenant)];
    const viewer = client(api.url, tenant.keys.viewer);
    const first = await viewer.get('/api/v1/gather-jobs?limit=3');
    expect(first.body.items.map((j: { id: string }) => j.id)).toEqual([ids[3], ids[2], ids[1]]);
    const second = await viewer.get(`/api/v1/gather-jobs?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await viewer.get('/api/v1/gather-jobs?sourceType=helm_repo')).body.items.map((j: { id: string }) => j.id)).toEqual([ids[1]]);
    expect((await viewer.get('/api/v1/gather-jobs?enabled=false')).body.items.map((j: { id: string }) => j.id)).toEqual([ids[2]]);
    expect((await viewer.get('/api/v1/gather-jobs?enabled=true')).body.items).toHaveLength(3);
  });

  it('refuse bad bodies and queries, naming the fields at fault', async () => {
    const member = client(api.url, acme.keys.member);
    const noOwner = await member.post('/api/v1/gather-jobs', { ...github, source: { repo: 'kubernetes' }, schedule: 'hourly' });
    expect(noOwner.status).toBe(400);
    expect(paths(noOwner)).toEqual(expect.arrayContaining(['source.owner', 'schedule']));
    const badType = await member.post('/api/v1/gather-jobs', { ...github, sourceType: 'ftp' });
    expect(badType.status).toBe(400);
    expect(paths(badType)).toContain('sourceType');
    const id = await createJob(acme);
    const wrongShape = await member.patch(`/api/v1/gather-jobs/${id}`, { source: { repoUrl: 'https://charts.example.com', chart: 'nginx' } });
    expect(wrongShape.status).toBe(400);
    expect(paths(wrongShape)).toEqual(expect.arrayContaining(['source.owner', 'source.repo']));
    const typeWithoutSource = await member.patch(`/api/v1/gather-jobs/${id}`, { sourceType: 'helm_repo' });
    expect(paths(typeWithoutSource)).toEqual(['source']);
    const badFilter = await member.patch(`/api/v1/gather-jobs/${id}`, { tagFilter: '(' });
    expect(paths(badFilter)).toEqual(['tagFilter']);
    // RE2 syntax: what the linear-time engine cannot run is refused at creation with a reason.
    const lookahead = await member.post('/api/v1/gather-jobs', { ...github, tagFilter: '^(?!sha-)' });
    expect(lookahead.status).toBe(400);
    expect(lookahead.body.error.details).toEqual([
      { path: 'tagFilter', message: 'tagFilter uses a lookahead ((?!...), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences' },
    ]);
    expect(paths(await member.get('/api/v1/gather-jobs?enabled=maybe'))).toEqual(['query.enabled']);
    expect(paths(await member.get('/api/v1/gather-jobs/not-a-uuid'))).toEqual(['params.id']);
    expect((await member.get(`/api/v1/gather-jobs/${id}`)).body.sourceType).toBe('github_release');
  });

  it('a type change with a matching source is accepted', async () => {
    const id = await createJob(acme);
    const answer = await client(api.url, acme.keys.member).patch(`/api/v1/gather-jobs/${id}`, { sourceType: 'oci_registry', source: { registryUrl: 'https://ghcr.io', repository: 'acme/api' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sourceType: 'oci_registry', source: { registryUrl: 'https://ghcr.io', repository: 'acme/api' } });
  });

  it('answer 409 when deleting a job an alert config uses, and keep it', async () => {
    const config = await makeAlertConfig(api.test.db, acme.organizationId);
    const answer = await client(api.url, acme.keys.admin).delete(`/api/v1/gather-jobs/${config.gather_job_id}`);
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain(config.id);
    expect((await client(api.url, acme.keys.admin).get(`/api/v1/gather-jobs/${config.gather_job_id}`)).status).toBe(200);
  });
});

describe('run now', () => {
  it('makes one pending task, answers the same open task the second time, and hands the agent its spec with the ETag', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme, { ...github, credentialName: 'gh' });
    await api.test.db.updateTable('gather_jobs').set({ etag: 'W/"v1"' }).where('id', '=', id).execute();
    const first = await member.post(`/api/v1/gather-jobs/${id}/run`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ kind: 'gather', jobId: id, status: 'pending', credentialName: 'gh', attempts: 0 });
    expect(first.body).not.toHaveProperty('leaseToken');
    const second = await member.post(`/api/v1/gather-jobs/${id}/run`);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const open = await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', id).execute();
    expect(open).toHaveLength(1);

    const agentKey = client(api.url, acme.keys.agent);
    const agentId = (await agentKey.post('/api/v1/agent/heartbeat', { name: 'run-now', version: '1', hostname: 'h', capabilities: ['gather'], credentials: ['gh'], maxConcurrentTasks: 50 })).body.agentId;
    const claim = await agentKey.post('/api/v1/agent/tasks/claim', { agentId, max: 50, wait: 0 });
    const claimed = (claim.body.tasks as Array<{ id: string; spec: unknown }>).find((t) => t.id === first.body.id);
    expect(claimed?.spec).toEqual({ sourceType: 'github_release', source: github.source, tagFilter: null, etag: 'W/"v1"' });
    const third = await member.post(`/api/v1/gather-jobs/${id}/run`);
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ id: first.body.id, status: 'claimed' });
  });

  it('makes a new task once the last one finished', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme);
    const done = await makeTask(api.test.db, acme.organizationId, id, { status: 'succeeded', completed_at: new Date() });
    const run = await member.post(`/api/v1/gather-jobs/${id}/run`);
    expect(run.status).toBe(202);
    expect(run.body.id).not.toBe(done.id);
  });
});

describe('releases', () => {
  it('list newest first by publish date, undated ones by when first gathered, page by page', async () => {
    const id = await createJob(acme);
    await makeReleases(api.test.db, acme.organizationId, id, [
      { tag: 'v1.0.0', publishedAt: '2024-01-01T00:00:00Z', prerelease: false, url: 'https://example.com/v1.0.0' },
      { tag: 'v1.2.0', publishedAt: '2024-06-01T00:00:00Z', prerelease: false },
      { tag: 'v1.3.0-rc.1', publishedAt: '2024-09-01T00:00:00Z', prerelease: true },
      { tag: 'nightly', publishedAt: null, prerelease: false },
    ]);
    const viewer = client(api.url, acme.keys.viewer);
    const first = await viewer.get(`/api/v1/gather-jobs/${id}/releases?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: { tag: string }) => r.tag)).toEqual(['nightly', 'v1.3.0-rc.1']);
    expect(first.body.items[1]).toEqual({
      id: expect.any(String), gatherJobId: id, tag: 'v1.3.0-rc.1', publishedAt: '2024-09-01T00:00:00.000Z', prerelease: true, url: null, firstSeenAt: expect.any(String),
      digest: null, cycle: null,
    });
    const second = await viewer.get(`/api/v1/gather-jobs/${id}/releases?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((r: { tag: string }) => r.tag)).toEqual(['v1.2.0', 'v1.0.0']);
    expect(second.body.items[1].url).toBe('https://example.com/v1.0.0');
    expect(second.body.nextCursor).toBeNull();
    const prereleases = await viewer.get(`/api/v1/gather-jobs/${id}/releases?prerelease=true`);
    expect(prereleases.body.items.map((r: { tag: string }) => r.tag)).toEqual(['v1.3.0-rc.1']);
    expect(paths(await viewer.get(`/api/v1/gather-jobs/${id}/releases?cursor=bogus`))).toEqual(['query.cursor']);
  });
});

describe('access', () => {
  it('lets a viewer read but not write, and keeps agent keys out', async () => {
    const id = await createJob(acme);
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get('/api/v1/gather-jobs')).status).toBe(200);
    expect((await viewer.get(`/api/v1/gather-jobs/${id}`)).status).toBe(200);
    expect((await viewer.get(`/api/v1/gather-jobs/${id}/releases`)).status).toBe(200);
    expect((await viewer.post('/api/v1/gather-jobs', github)).status).toBe(403);
    expect((await viewer.patch(`/api/v1/gather-jobs/${id}`, { name: 'x' })).status).toBe(403);
    expect((await viewer.delete(`/api/v1/gather-jobs/${id}`)).status).toBe(403);
    expect((await viewer.post(`/api/v1/gather-jobs/${id}/run`)).status).toBe(403);
    const agent = client(api.url, acme.keys.agent);
    expect((await agent.get('/api/v1/gather-jobs')).status).toBe(403);
    expect((await agent.post(`/api/v1/gather-jobs/${id}/run`)).status).toBe(403);
    expect((await client(api.url).get('/api/v1/gather-jobs')).status).toBe(401);
    expect(await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', id).execute()).toEqual([]);
    expect((await viewer.get(`/api/v1/gather-jobs/${id}`)).body.name).toBe(github.name);
  });

  it("answers 404 for another organization's job on every route and changes nothing", async () => {
    const theirs = await createJob(globex);
    await makeReleases(api.test.db, globex.organizationId, theirs, [{ tag: 'v9.9.9', publishedAt: null, prerelease: false }]);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/gather-jobs/${theirs}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/gather-jobs/${theirs}`, { name: 'stolen', enabled: false })).status).toBe(404);
    expect((await ours.delete(`/api/v1/gather-jobs/${theirs}`)).status).toBe(404);
    expect((await ours.post(`/api/v1/gather-jobs/${theirs}/run`)).status).toBe(404);
    expect((await ours.get(`/api/v1/gather-jobs/${theirs}/releases`)).status).toBe(404);
    expect((await ours.get('/api/v1/gather-jobs?limit=500')).body.items.map((j: { id: string }) => j.id)).not.toContain(theirs);
    const still = (await client(api.url, globex.keys.viewer).get(`/api/v1/gather-jobs/${theirs}`)).body;
    expect(still).toMatchObject({ name: github.name, enabled: true });
    expect(await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', theirs).execute()).toEqual([]);
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/gather-jobs/${theirs}/releases`)).body.items).toHaveLength(1);
  });
});
