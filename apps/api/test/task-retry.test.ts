import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAgent, makeGatherJob, makeScrapeJob, makeTask } from '@planekeeper/db/testing';
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

const failedTask = async (tenant: Tenant, jobId: string, overrides: Parameters<typeof makeTask>[3] = {}) =>
  makeTask(api.test.db, tenant.organizationId, jobId, { status: 'failed', error: 'github answered 502', attempts: 3, completed_at: new Date(), ...overrides });

describe('POST /api/v1/tasks/:id/retry', () => {
  it('makes a new pending task of the job with its current settings and keeps the failure in the history', async () => {
    const job = await makeGatherJob(api.test.db, acme.organizationId, { credential_name: 'old-pat' });
    const failed = await failedTask(acme, job.id, { credential_name: 'old-pat' });
    await api.test.db.updateTable('gather_jobs').set({ credential_name: 'new-pat' }).where('id', '=', job.id).execute();

    const answer = await client(api.url, acme.keys.member).post(`/api/v1/tasks/${failed.id}/retry`);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ kind: 'gather', jobId: job.id, status: 'pending', attempts: 0, error: null, credentialName: 'new-pat' });
    expect(answer.body.id).not.toBe(failed.id);

    const history = await client(api.url, acme.keys.viewer).get(`/api/v1/tasks?jobId=${job.id}`);
    expect(history.body.items.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([[answer.body.id, 'pending'], [failed.id, 'failed']]);
    expect((await client(api.url, acme.keys.viewer).get(`/api/v1/tasks/${failed.id}`)).body).toMatchObject({ status: 'failed', error: 'github answered 502', attempts: 3 });
    expect(api.logs.some((line) => line.includes('"task retried"') && line.includes(failed.id) && line.includes(answer.body.id))).toBe(true);
  });

  it('hands the new task to an agent that can run it', async () => {
    const job = await makeScrapeJob(api.test.db, acme.organizationId);
    const failed = await makeTask(api.test.db, acme.organizationId, job.id, { kind: 'scrape', gather_job_id: null, scrape_job_id: job.id, status: 'failed', error: 'clone failed' });
    const retried = await client(api.url, acme.keys.admin).post(`/api/v1/tasks/${failed.id}/retry`);
    expect(retried.status).toBe(201);
    const agent = client(api.url, acme.keys.agent);
    const { agentId } = (await agent.post('/api/v1/agent/heartbeat', { name: 'scraper', version: '1.0.0', hostname: 'h', capabilities: ['scrape'], credentials: [], maxConcurrentTasks: 50 })).body;
    const claimed = await agent.post('/api/v1/agent/tasks/claim', { agentId, max: 50 });
    const task = claimed.body.tasks.find((t: { id: string }) => t.id === retried.body.id);
    expect(task).toMatchObject({ kind: 'scrape', jobId: job.id, spec: { repoUrl: job.repo_url, filePath: job.file_path, parser: 'yq' } });
  });

  it('refuses a task that did not fail, naming its status', async () => {
    const agent = await makeAgent(api.test.db, acme.organizationId);
    for (const overrides of [
      { status: 'pending' as const },
      { status: 'claimed' as const, claimed_by: agent.id, claimed_at: new Date(), lease_token: crypto.randomUUID(), lease_expires_at: new Date(Date.now() + 60_000) },
      { status: 'succeeded' as const, completed_at: new Date() },
    ]) {
      const job = await makeGatherJob(api.test.db, acme.organizationId);
      const task = await makeTask(api.test.db, acme.organizationId, job.id, overrides);
      const answer = await client(api.url, acme.keys.member).post(`/api/v1/tasks/${task.id}/retry`);
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: 409, code: 'conflict' });
      expect(answer.body.error.message).toContain(`is ${overrides.status}`);
    }
  });

  it('refuses while the job already has an open task, and makes one task when retries race', async () => {
    const job = await makeGatherJob(api.test.db, acme.organizationId);
    const failed = await failedTask(acme, job.id);
    const answers = await Promise.all(Array.from({ length: 8 }, () => client(api.url, acme.keys.member).post(`/api/v1/tasks/${failed.id}/retry`)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const created = answers.find((a) => a.status === 201)!.body.id as string;
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.message).toContain(created);
    const open = await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', job.id).where('status', '=', 'pending').execute();
    expect(open.map((t) => t.id)).toEqual([created]);
  });

  it('refuses tasks of disabled and manual jobs: those never run', async () => {
    const disabled = await makeGatherJob(api.test.db, acme.organizationId, { enabled: false });
    const task = await failedTask(acme, disabled.id);
    const answer = await client(api.url, acme.keys.member).post(`/api/v1/tasks/${task.id}/retry`);
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toContain('disabled');

    const manual = await makeScrapeJob(api.test.db, acme.organizationId, { parser: 'manual', repo_url: null, file_path: null, expression: null, schedule: null });
    const cancelled = await makeTask(api.test.db, acme.organizationId, manual.id, { kind: 'scrape', gather_job_id: null, scrape_job_id: manual.id, status: 'failed', error: 'job became manual' });
    const refused = await client(api.url, acme.keys.member).post(`/api/v1/tasks/${cancelled.id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('manual');
    const pending = await api.test.db.selectFrom('tasks').select('id').where('job_id', 'in', [disabled.id, manual.id]).where('status', '=', 'pending').execute();
    expect(pending).toEqual([]);
  });

  it('needs write access, answers 404 for unknown or foreign tasks and 400 for a bad id', async () => {
    const job = await makeGatherJob(api.test.db, acme.organizationId);
    const failed = await failedTask(acme, job.id);
    expect((await client(api.url, acme.keys.viewer).post(`/api/v1/tasks/${failed.id}/retry`)).status).toBe(403);
    expect((await client(api.url, acme.keys.agent).post(`/api/v1/tasks/${failed.id}/retry`)).status).toBe(403);
    expect((await client(api.url).post(`/api/v1/tasks/${failed.id}/retry`)).status).toBe(401);
    expect((await client(api.url, globex.keys.admin).post(`/api/v1/tasks/${failed.id}/retry`)).status).toBe(404);
    expect((await client(api.url, acme.keys.admin).post(`/api/v1/tasks/${crypto.randomUUID()}/retry`)).status).toBe(404);
    const bad = await client(api.url, acme.keys.admin).post('/api/v1/tasks/seven/retry');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['params.id']);
    const open = await api.test.db.selectFrom('tasks').select('id').where('job_id', '=', job.id).where('status', '=', 'pending').execute();
    expect(open).toEqual([]);
  });
});
