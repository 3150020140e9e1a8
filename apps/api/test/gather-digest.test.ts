import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { releasesDigest } from '@planekeeper/db';
import { makeReleases } from '@planekeeper/db/testing';
import { client, makeTenant, queuedPayloads, startApi, type ApiUnderTest, type Tenant } from './helpers/api-server.ts';

// What the api stores of a gather result whose release list is the one last ingested for its job
// (gather_jobs.releases_digest, which the taskengine sets): not the list again, but its count,
// digest and ETag. The taskengine's side is in apps/taskengine/test/ingestion.test.ts.

let api: ApiUnderTest;
let acme: Tenant;
let agentId: string;

beforeAll(async () => {
  api = await startApi();
  acme = await makeTenant(api, 'Acme');
  const beat = await client(api.url, acme.keys.agent).post('/api/v1/agent/heartbeat', {
    name: 'site', version: '1.0.0', hostname: 'site.example', capabilities: ['gather'], credentials: [], maxConcurrentTasks: 5,
  });
  agentId = beat.body.agentId;
});
afterAll(() => api.stop());

const list = Array.from({ length: 50 }, (_, i) => ({
  tag: `v1.${i}.0`,
  publishedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
  prerelease: false,
  url: `https://github.com/acme/widget/releases/tag/v1.${i}.0`,
}));

async function createJob(): Promise<string> {
  const made = await client(api.url, acme.keys.admin).post('/api/v1/gather-jobs', { name: 'widget', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget' }, schedule: '0 0 1 1 *' });
  expect(made.status).toBe(201);
  return made.body.id;
}

/** The job's list as the taskengine leaves it after ingesting `releases`: the rows and their digest. */
async function ingested(jobId: string, releases: typeof list): Promise<void> {
  await makeReleases(api.test.db, acme.organizationId, jobId, releases);
  await api.test.db.updateTable('gather_jobs').set({ releases_digest: releasesDigest(releases) }).where('id', '=', jobId).execute();
}

/** Claims the job's task (run now) and reports `result`; answers the task and what it stored. */
async function reportOnly(jobId: string, result: object): Promise<{ taskId: string; stored: unknown }> {
  const run = await client(api.url, acme.keys.admin).post(`/api/v1/gather-jobs/${jobId}/run`);
  expect(run.status).toBe(202);
  const claim = await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId, max: 1 });
  const task = claim.body.tasks[0] as { id: string; leaseToken: string };
  expect(task.id).toBe(run.body.id);
  const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result });
  expect(answer.status).toBe(202);
  const row = await api.test.db.selectFrom('tasks').select(['status', 'result']).where('id', '=', task.id).executeTakeFirstOrThrow();
  expect(row.status).toBe('succeeded');
  expect(await queuedPayloads(api, 'task.completed')).toContainEqual({ organizationId: acme.organizationId, taskId: task.id });
  return { taskId: task.id, stored: row.result };
}

/** As reportOnly, then marks the task ingested, as the taskengine does (there is none here); answers what it stored. */
async function report(jobId: string, result: object): Promise<unknown> {
  const { taskId, stored } = await reportOnly(jobId, result);
  await api.test.db.updateTable('tasks').set({ ingested_at: new Date() }).where('id', '=', taskId).execute();
  return stored;
}

describe('a gather result whose list the job last ingested', () => {
  it('is stored as unchanged, with its count, digest and the new ETag', async () => {
    const jobId = await createJob();
    await ingested(jobId, list);
    expect(await report(jobId, { releases: list, etag: 'W/"new"' })).toEqual({ unchanged: true, releaseCount: 50, releasesDigest: releasesDigest(list), etag: 'W/"new"' });
    // Written another way, but the same to the upsert: a missing URL is a null one.
    const withoutUrls = list.map(({ url: _, ...release }) => release);
    await api.test.db.updateTable('gather_jobs').set({ releases_digest: releasesDigest(withoutUrls) }).where('id', '=', jobId).execute();
    expect(await report(jobId, { releases: list.map((r) => ({ ...r, url: null })) })).toMatchObject({ unchanged: true, releaseCount: 50, etag: null });
  });

  it('is stored whole when one release differs, even only in its date, or in order', async () => {
    const jobId = await createJob();
    await ingested(jobId, list);
    const redated = list.map((r, i) => (i === 17 ? { ...r, publishedAt: '2025-01-18T00:00:01.000Z' } : r));
    expect(await report(jobId, { releases: redated })).toEqual({ releases: redated });
    const flagged = list.map((r, i) => (i === 49 ? { ...r, prerelease: true } : r));
    expect(await report(jobId, { releases: flagged })).toEqual({ releases: flagged });
    expect(await report(jobId, { releases: list.slice(1) })).toEqual({ releases: list.slice(1) });
    expect(await report(jobId, { releases: [...list].reverse() })).toEqual({ releases: [...list].reverse() });
    expect(await report(jobId, { releases: [], notModified: true, etag: 'W/"same"' })).toEqual({ releases: [], notModified: true, etag: 'W/"same"' });
  });

  it('is stored whole once a new source forgot the digest; other edits keep it', async () => {
    const jobId = await createJob();
    await ingested(jobId, list);
    const admin = client(api.url, acme.keys.admin);
    expect((await admin.patch(`/api/v1/gather-jobs/${jobId}`, { name: 'widget upstream', schedule: '0 0 2 1 *' })).status).toBe(200);
    const digestOf = async () => (await api.test.db.selectFrom('gather_jobs').select('releases_digest').where('id', '=', jobId).executeTakeFirstOrThrow()).releases_digest;
    expect(await digestOf()).toBe(releasesDigest(list));
    expect((await admin.patch(`/api/v1/gather-jobs/${jobId}`, { source: { owner: 'acme', repo: 'widget-fork' } })).status).toBe(200);
    expect(await digestOf()).toBeNull();
    expect(await report(jobId, { releases: list })).toEqual({ releases: list });
  });

  it('is stored whole while an earlier result of the job waits to be ingested, which may change the releases first', async () => {
    const jobId = await createJob();
    await ingested(jobId, list);
    const redated = list.map((r, i) => (i === 3 ? { ...r, publishedAt: '2025-01-04T12:00:00.000Z' } : r));
    // A new list, not yet ingested; then the old list comes back: storing it as unchanged would
    // let the new list, ingested after it, have the last word.
    const waiting = await reportOnly(jobId, { releases: redated });
    expect(waiting.stored).toEqual({ releases: redated });
    expect(await report(jobId, { releases: list })).toEqual({ releases: list });
    // Both ingested (the list last, so the job has its digest again): known again.
    await api.test.db.updateTable('tasks').set({ ingested_at: new Date() }).where('id', '=', waiting.taskId).execute();
    expect(await report(jobId, { releases: list })).toMatchObject({ unchanged: true, releaseCount: 50 });
  });

  it('is refused with 400 naming the result when it is another kind\'s result, and nothing is stored', async () => {
    const jobId = await createJob();
    const run = await client(api.url, acme.keys.admin).post(`/api/v1/gather-jobs/${jobId}/run`);
    const claim = await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId, max: 1 });
    const task = claim.body.tasks[0] as { id: string; leaseToken: string };
    expect(task.id).toBe(run.body.id);
    const answer = await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/result`, {
      leaseToken: task.leaseToken, result: { version: '1.2.3', raw: 'tag: 1.2.3', commitSha: 'a'.repeat(40) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([{ path: 'result', message: 'not a gather result: a scrape result was sent' }]);
    expect(await api.test.db.selectFrom('tasks').select(['status', 'result']).where('id', '=', task.id).executeTakeFirstOrThrow()).toEqual({ status: 'claimed', result: null });
  });

  it('is stored whole when the task read a source the job no longer has', async () => {
    const jobId = await createJob();
    await ingested(jobId, list);
    const run = await client(api.url, acme.keys.admin).post(`/api/v1/gather-jobs/${jobId}/run`);
    const claim = await client(api.url, acme.keys.agent).post('/api/v1/agent/tasks/claim', { agentId, max: 1 });
    const task = claim.body.tasks[0] as { id: string; leaseToken: string };
    expect(task.id).toBe(run.body.id);
    // The source moves while the agent reads the old one; the new source's list happens to be ingested with the same digest.
    await api.test.db.updateTable('gather_jobs').set({ source: JSON.stringify({ owner: 'acme', repo: 'elsewhere' }), releases_digest: releasesDigest(list) }).where('id', '=', jobId).execute();
    expect((await client(api.url, acme.keys.agent).post(`/api/v1/agent/tasks/${task.id}/result`, { leaseToken: task.leaseToken, result: { releases: list } })).status).toBe(202);
    expect((await api.test.db.selectFrom('tasks').select('result').where('id', '=', task.id).executeTakeFirstOrThrow()).result).toEqual({ releases: list });
  });
});
