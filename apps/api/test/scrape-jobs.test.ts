import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAlertConfig } from '@planekeeper/db/testing';
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

const yq = {
  name: 'deployed nginx', repoUrl: 'https://git.example.com/platform/cluster.git', ref: 'main', filePath: 'apps/nginx/values.yaml',
  parser: 'yq', expression: '.image.tag', schedule: '*/30 * * * *',
};
const manual = { name: 'mainframe', parser: 'manual' };

const secondsFromNow = (iso: string) => (Date.parse(iso) - Date.now()) / 1000;
const paths = (answer: { body: { error: { details: Array<{ path: string }> } } }) => answer.body.error.details.map((d) => d.path);

async function createJob(tenant: Tenant, body: object = yq): Promise<string> {
  const answer = await client(api.url, tenant.keys.member).post('/api/v1/scrape-jobs', body);
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

async function evaluationsOf(scrapeJobId: string) {
  return (await queuedPayloads(api, 'evaluate')).filter((p) => (p as { target: { scrapeJobId?: string } }).target.scrapeJobId === scrapeJobId);
}

describe('scrape jobs', () => {
  it('are created, read, updated and deleted; a git job is due at once, a manual one is never scheduled', async () => {
    const member = client(api.url, acme.keys.member);
    const created = await member.post('/api/v1/scrape-jobs', yq);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...yq, credentialName: null, historyLimit: 100, enabled: true, lastRunAt: null });
    expect(Math.abs(secondsFromNow(created.body.nextRunAt))).toBeLessThan(5);
    const id = created.body.id as string;
    expect((await member.get(`/api/v1/scrape-jobs/${id}`)).body.expression).toBe('.image.tag');
    const updated = await member.patch(`/api/v1/scrape-jobs/${id}`, { name: 'nginx', historyLimit: 10 });
    expect(updated.body).toMatchObject({ name: 'nginx', historyLimit: 10, parser: 'yq' });
    expect((await member.delete(`/api/v1/scrape-jobs/${id}`)).status).toBe(204);
    expect((await member.get(`/api/v1/scrape-jobs/${id}`)).status).toBe(404);

    const manualJob = await member.post('/api/v1/scrape-jobs', manual);
    expect(manualJob.body).toMatchObject({ parser: 'manual', repoUrl: null, schedule: null, nextRunAt: null });
  });

  it('check an update merged with the stored job, naming the fields at fault', async () => {
    const member = client(api.url, acme.keys.member);
    const missing = await member.post('/api/v1/scrape-jobs', { name: 'x', parser: 'jq' });
    expect(missing.status).toBe(400);
    expect(paths(missing)).toEqual(expect.arrayContaining(['repoUrl', 'filePath', 'expression', 'schedule']));
    const noGroup = await member.post('/api/v1/scrape-jobs', { ...yq, parser: 'regex', expression: 'version: [0-9.]+' });
    expect(paths(noGroup)).toEqual(['expression']);
    const backreference = await member.post('/api/v1/scrape-jobs', { ...yq, parser: 'regex', expression: '(\\d+)\\.\\1' });
    expect(backreference.status).toBe(400);
    expect(backreference.body.error.details).toEqual([{ path: 'expression', message: expect.stringMatching(/^expression uses a backreference \(\\1\)/) }]);
    const unsafe = await member.post('/api/v1/scrape-jobs', { ...yq, filePath: '../etc/passwd', historyLimit: 0 });
    expect(paths(unsafe)).toEqual(expect.arrayContaining(['filePath', 'historyLimit']));

    const id = await createJob(acme, manual);
    const toYq = await member.patch(`/api/v1/scrape-jobs/${id}`, { parser: 'yq', expression: '.tag' });
    expect(toYq.status).toBe(400);
    expect(paths(toYq)).toEqual(['repoUrl', 'filePath', 'schedule']);
    const gitJob = await createJob(acme);
    const cleared = await member.patch(`/api/v1/scrape-jobs/${gitJob}`, { repoUrl: null });
    expect(paths(cleared)).toEqual(['repoUrl']);
    expect(paths(await member.get('/api/v1/scrape-jobs?parser=xml'))).toEqual(['query.parser']);
    expect((await member.get(`/api/v1/scrape-jobs/${gitJob}`)).body.repoUrl).toBe(yq.repoUrl);
  });

  it('made manual, a job loses its schedule and its pending task; made git again, it is due at once', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme);
    const run = await member.post(`/api/v1/scrape-jobs/${id}/run`);
    expect(run.status).toBe(202);
    const toManual = await member.patch(`/api/v1/scrape-jobs/${id}`, { parser: 'manual' });
    expect(toManual.body).toMatchObject({ parser: 'manual', nextRunAt: null });
    expect((await member.get(`/api/v1/tasks/${run.body.id}`)).body.status).toBe('failed');
    const back = await member.patch(`/api/v1/scrape-jobs/${id}`, { parser: 'jq', expression: '.version' });
    expect(back.status).toBe(200);
    expect(Math.abs(secondsFromNow(back.body.nextRunAt))).toBeLessThan(5);
  });

  it('list newest first, filtered by parser and enabled', async () => {
    const tenant = await makeTenant(api);
    const git = await createJob(tenant);
    const hand = await createJob(tenant, manual);
    const off = await createJob(tenant, { ...yq, enabled: false });
    const viewer = client(api.url, tenant.keys.viewer);
    expect((await viewer.get('/api/v1/scrape-jobs')).body.items.map((j: { id: string }) => j.id)).toEqual([off, hand, git]);
    expect((await viewer.get('/api/v1/scrape-jobs?parser=manual')).body.items.map((j: { id: string }) => j.id)).toEqual([hand]);
    expect((await viewer.get('/api/v1/scrape-jobs?enabled=false')).body.items.map((j: { id: string }) => j.id)).toEqual([off]);
    const page = await viewer.get('/api/v1/scrape-jobs?limit=2');
    expect((await viewer.get(`/api/v1/scrape-jobs?limit=2&cursor=${page.body.nextCursor}`)).body.items.map((j: { id: string }) => j.id)).toEqual([git]);
  });

  it('answer 409 when deleting a job an alert config uses', async () => {
    const config = await makeAlertConfig(api.test.db, acme.organizationId);
    const answer = await client(api.url, acme.keys.member).delete(`/api/v1/scrape-jobs/${config.scrape_job_id}`);
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain(config.id);
  });
});

describe('run now', () => {
  it('makes one pending task with the job as spec, then answers the open one', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme, { ...yq, credentialName: 'deploy-key' });
    const first = await member.post(`/api/v1/scrape-jobs/${id}/run`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ kind: 'scrape', jobId: id, status: 'pending', credentialName: 'deploy-key' });
    const second = await member.post(`/api/v1/scrape-jobs/${id}/run`);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const task = await api.test.db.selectFrom('tasks').select('spec').where('id', '=', first.body.id).executeTakeFirstOrThrow();
    expect(task.spec).toEqual({ repoUrl: yq.repoUrl, ref: 'main', filePath: yq.filePath, parser: 'yq', expression: '.image.tag' });
  });

  it('refuses manual jobs, pointing at PUT /version', async () => {
    const id = await createJob(acme, manual);
    const answer = await client(api.url, acme.keys.member).post(`/api/v1/scrape-jobs/${id}/run`);
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain(`PUT /api/v1/scrape-jobs/${id}/version`);
    expect(await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', id).execute()).toEqual([]);
  });
});

describe('manual versions', () => {
  it('record a snapshot and queue one evaluation in the same transaction', async () => {
    const id = await createJob(acme, manual);
    const answer = await client(api.url, acme.keys.member).put(`/api/v1/scrape-jobs/${id}/version`, { version: 'v1.2.0' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id: expect.any(String), scrapeJobId: id, version: 'v1.2.0', raw: null, commitSha: null, imageDigest: null, details: null, source: 'manual', foundAt: expect.any(String) });
    expect(await evaluationsOf(id)).toEqual([{ organizationId: acme.organizationId, reason: 'manual_version', target: { scrapeJobId: id } }]);
    expect((await client(api.url, acme.keys.viewer).get(`/api/v1/scrape-jobs/${id}`)).body.lastRunAt).not.toBeNull();
  });

  it('keep one entry per change: the same version again adds nothing, a rollback adds a snapshot', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme, manual);
    const first = await member.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.2.0' });
    const same = await member.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.2.0' });
    expect(same.status).toBe(200);
    expect(same.body.id).toBe(first.body.id);
    expect((await member.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.3.0' })).status).toBe(201);
    const rollback = await member.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.2.0' });
    expect(rollback.status).toBe(201);
    expect(rollback.body.id).not.toBe(first.body.id);
    const list = await member.get(`/api/v1/scrape-jobs/${id}/snapshots`);
    expect(list.body.items.map((s: { version: string }) => s.version)).toEqual(['1.2.0', '1.3.0', '1.2.0']);
    expect(await evaluationsOf(id)).toHaveLength(4);
  });

  it('trim the history to the job limit, oldest first, also when the limit is lowered', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme, { ...manual, historyLimit: 3 });
    for (const version of ['1.0', '1.1', '1.2', '1.3', '1.4']) expect((await member.put(`/api/v1/scrape-jobs/${id}/version`, { version })).status).toBe(201);
    const first = await member.get(`/api/v1/scrape-jobs/${id}/snapshots?limit=2`);
    expect(first.body.items.map((s: { version: string }) => s.version)).toEqual(['1.4', '1.3']);
    const second = await member.get(`/api/v1/scrape-jobs/${id}/snapshots?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ version: '1.2' })], nextCursor: null });
    await member.patch(`/api/v1/scrape-jobs/${id}`, { historyLimit: 1 });
    expect((await member.get(`/api/v1/scrape-jobs/${id}/snapshots`)).body.items.map((s: { version: string }) => s.version)).toEqual(['1.4']);
  });

  it('are refused for jobs that read git (409) and validated', async () => {
    const member = client(api.url, acme.keys.member);
    const id = await createJob(acme);
    const answer = await member.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.2.0' });
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toMatch(/only manual jobs/);
    const hand = await createJob(acme, manual);
    const empty = await member.put(`/api/v1/scrape-jobs/${hand}/version`, { version: '  ' });
    expect(paths(empty)).toEqual(['version']);
    expect(paths(await member.put(`/api/v1/scrape-jobs/${hand}/version`, { version: '1', by: 'me' }))).toEqual(['by']);
    expect(await evaluationsOf(id)).toEqual([]);
    expect(await evaluationsOf(hand)).toEqual([]);
    expect((await member.get(`/api/v1/scrape-jobs/${hand}/snapshots`)).body.items).toEqual([]);
  });
});

describe('access', () => {
  it('lets a viewer read but not write, and keeps agent keys out', async () => {
    const id = await createJob(acme, manual);
    const viewer = client(api.url, acme.keys.viewer);
    expect((await viewer.get('/api/v1/scrape-jobs')).status).toBe(200);
    expect((await viewer.get(`/api/v1/scrape-jobs/${id}/snapshots`)).status).toBe(200);
    expect((await viewer.post('/api/v1/scrape-jobs', yq)).status).toBe(403);
    expect((await viewer.patch(`/api/v1/scrape-jobs/${id}`, { name: 'x' })).status).toBe(403);
    expect((await viewer.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.0' })).status).toBe(403);
    expect((await viewer.post(`/api/v1/scrape-jobs/${id}/run`)).status).toBe(403);
    expect((await viewer.delete(`/api/v1/scrape-jobs/${id}`)).status).toBe(403);
    const agent = client(api.url, acme.keys.agent);
    expect((await agent.get(`/api/v1/scrape-jobs/${id}`)).status).toBe(403);
    expect((await agent.put(`/api/v1/scrape-jobs/${id}/version`, { version: '1.0' })).status).toBe(403);
    expect((await viewer.get(`/api/v1/scrape-jobs/${id}/snapshots`)).body.items).toEqual([]);
    expect(await evaluationsOf(id)).toEqual([]);
  });

  it("answers 404 for another organization's job on every route and changes nothing", async () => {
    const theirs = await createJob(globex, manual);
    const theirGit = await createJob(globex);
    const ours = client(api.url, acme.keys.admin);
    expect((await ours.get(`/api/v1/scrape-jobs/${theirs}`)).status).toBe(404);
    expect((await ours.patch(`/api/v1/scrape-jobs/${theirs}`, { name: 'stolen' })).status).toBe(404);
    expect((await ours.put(`/api/v1/scrape-jobs/${theirs}/version`, { version: '6.6.6' })).status).toBe(404);
    expect((await ours.get(`/api/v1/scrape-jobs/${theirs}/snapshots`)).status).toBe(404);
    expect((await ours.post(`/api/v1/scrape-jobs/${theirGit}/run`)).status).toBe(404);
    expect((await ours.delete(`/api/v1/scrape-jobs/${theirs}`)).status).toBe(404);
    const owner = client(api.url, globex.keys.viewer);
    expect((await owner.get(`/api/v1/scrape-jobs/${theirs}`)).body.name).toBe(manual.name);
    expect((await owner.get(`/api/v1/scrape-jobs/${theirs}/snapshots`)).body.items).toEqual([]);
    expect(await evaluationsOf(theirs)).toEqual([]);
    expect(await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', theirGit).execute()).toEqual([]);
  });
});
