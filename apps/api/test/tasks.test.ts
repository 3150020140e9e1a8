import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeAgent, makeGatherJob, makeScrapeJob, makeTask } from '@planekeeper/db/testing';
import { client, makeTenant, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

let api: ApiUnderTest;
let acme: Tenant;
let globex: Tenant;
let gatherJobId: string;
let scrapeJobId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  globex = await makeTenant(api, 'Globex');
  const { db } = api.test;
  gatherJobId = (await makeGatherJob(db, acme.organizationId)).id;
  scrapeJobId = (await makeScrapeJob(db, acme.organizationId)).id;
  const agent = await makeAgent(db, acme.organizationId);
  ids.failed = (await makeTask(db, acme.organizationId, gatherJobId, { status: 'failed', error: 'rate limited', completed_at: new Date() })).id;
  ids.claimed = (await makeTask(db, acme.organizationId, gatherJobId, {
    status: 'claimed', claimed_by: agent.id, claimed_at: new Date(), lease_token: '11111111-2222-4333-8444-555555555555', lease_expires_at: new Date(Date.now() + 60_000), attempts: 1,
  })).id;
  ids.scrape = (await makeTask(db, acme.organizationId, gatherJobId, { kind: 'scrape', gather_job_id: null, scrape_job_id: scrapeJobId })).id;
  const otherJob = await makeGatherJob(db, globex.organizationId);
  ids.theirs = (await makeTask(db, globex.organizationId, otherJob.id)).id;
});
afterAll(() => api.stop());

const listed = async (query: string) =>
  ((await client(api.url, acme.keys.viewer).get(`/api/v1/tasks${query}`)).body.items as Array<{ id: string }>).map((t) => t.id);

describe('tasks', () => {
  it('list newest first, filtered by job, status and kind, page by page', async () => {
    expect(await listed('')).toEqual([ids.scrape, ids.claimed, ids.failed]);
    expect(await listed(`?jobId=${gatherJobId}`)).toEqual([ids.claimed, ids.failed]);
    expect(await listed('?status=failed')).toEqual([ids.failed]);
    expect(await listed(`?kind=scrape&jobId=${scrapeJobId}`)).toEqual([ids.scrape]);
    expect(await listed('?kind=helm_sync')).toEqual([]);
    const first = await client(api.url, acme.keys.viewer).get('/api/v1/tasks?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(await listed(`?limit=2&cursor=${first.body.nextCursor}`)).toEqual([ids.failed]);
  });

  it('show a task without its lease token', async () => {
    const answer = await client(api.url, acme.keys.viewer).get(`/api/v1/tasks/${ids.claimed}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: ids.claimed, kind: 'gather', jobId: gatherJobId, status: 'claimed', attempts: 1, claimedBy: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toContain('11111111-2222-4333-8444-555555555555');
    const list = await client(api.url, acme.keys.viewer).get('/api/v1/tasks');
    expect(JSON.stringify(list.body)).not.toContain('11111111-2222-4333-8444-555555555555');
    expect((await client(api.url, acme.keys.viewer).get(`/api/v1/tasks/${ids.failed}`)).body.error).toBe('rate limited');
  });

  it('refuse bad filters, naming them', async () => {
    const answer = await client(api.url, acme.keys.viewer).get('/api/v1/tasks?status=running&jobId=7&colour=red');
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['query.status', 'query.jobId', 'query.colour']));
  });

  it("keep agent keys out and answer 404 for another organization's task", async () => {
    expect((await client(api.url, acme.keys.agent).get('/api/v1/tasks')).status).toBe(403);
    expect((await client(api.url, acme.keys.admin).get(`/api/v1/tasks/${ids.theirs}`)).status).toBe(404);
    expect(await listed('?limit=500')).not.toContain(ids.theirs);
    expect((await client(api.url, globex.keys.viewer).get(`/api/v1/tasks/${ids.theirs}`)).status).toBe(200);
  });
});
