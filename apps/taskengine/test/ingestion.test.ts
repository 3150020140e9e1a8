import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBoss, releasesDigest, sendJob } from '@planekeeper/db';
import { createTestDatabase, makeAlertConfig, makeGatherJob, makeOrganization, makeScrapeJob, makeTask, type TestDatabase } from '@planekeeper/db/testing';
import { taskCompletedQueue } from '@planekeeper/domain';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { queuedPayloads, startTaskengine, waitFor, type TaskengineUnderTest } from './helpers/taskengine.ts';

let test: TestDatabase;
let engine: TaskengineUnderTest;
let boss: PgBoss;
let organizationId: string;

beforeAll(async () => {
  test = await createTestDatabase();
  organizationId = (await makeOrganization(test.db)).id;
  engine = await startTaskengine(test.url, { TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '3600' });
  boss = createBoss(test.url, { logger: { warn: () => undefined, error: () => undefined }, applicationName: 'ingestion-test', max: 2, supervise: false });
  await boss.start();
});
afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
  await engine?.stop();
  await test?.destroy();
});

const githubSpec = (repo = 'kubernetes') => ({ sourceType: 'github_release', source: { owner: 'kubernetes', repo }, tagFilter: null, etag: null });
const scrapeSpec = { repoUrl: 'https://git.example.com/platform/cluster.git', ref: 'main', filePath: 'cluster/versions.yaml', parser: 'yq', expression: '.kubernetes.version' };

/** A task as the api leaves it after a result report. */
async function reportedTask(kind: 'gather' | 'scrape' | 'helm_sync', jobId: string, spec: object, result: object) {
  return makeTask(test.db, organizationId, jobId, {
    kind,
    gather_job_id: kind === 'gather' ? jobId : null,
    scrape_job_id: kind === 'scrape' ? jobId : null,
    helm_sync_job_id: kind === 'helm_sync' ? jobId : null,
    spec: JSON.stringify(spec),
    status: 'succeeded',
    result: JSON.stringify(result),
    attempts: 1,
    completed_at: new Date(),
  });
}

/** Sends task.completed as the api does and waits until pg-boss has settled the message. */
async function deliver(taskId: string): Promise<void> {
  const id = await sendJob(boss, null, taskCompletedQueue, { organizationId, taskId });
  await waitFor(`task.completed ${id} to be handled`, async () => {
    const { rows } = await sql<{ state: string }>`SELECT state FROM pgboss.job WHERE id = ${id}`.execute(test.db);
    return rows[0]?.state === 'completed';
  });
}

const releasesOf = (gatherJobId: string) =>
  test.db.selectFrom('releases').selectAll().where('gather_job_id', '=', gatherJobId).orderBy('tag').execute();
const snapshotsOf = (scrapeJobId: string) =>
  test.db.selectFrom('version_snapshots').selectAll().where('scrape_job_id', '=', scrapeJobId).orderBy('found_at', 'desc').execute();
const evaluationsOf = async (target: Record<string, string>) =>
  (await queuedPayloads(test.db, 'evaluate')).filter((p) => JSON.stringify((p as { target: unknown }).target) === JSON.stringify(target));

describe('gather results', () => {
  it('add releases, store the ETag and last run, and queue one evaluation; a second delivery changes nothing', async () => {
    const config = await makeAlertConfig(test.db, organizationId);
    const jobId = config.gather_job_id;
    const task = await reportedTask('gather', jobId, githubSpec(), {
      releases: [
        { tag: 'v1.0.0', publishedAt: '2024-01-01T00:00:00Z', prerelease: false, url: 'https://github.com/k/k/releases/v1.0.0' },
        { tag: 'v1.1.0-rc.1', publishedAt: '2024-02-01T00:00:00Z', prerelease: true },
      ],
      etag: 'W/"first"',
    });
    await deliver(task.id);
    const releases = await releasesOf(jobId);
    expect(releases.map((r) => [r.tag, r.published_at?.toISOString(), r.prerelease, r.url])).toEqual([
      ['v1.0.0', '2024-01-01T00:00:00.000Z', false, 'https://github.com/k/k/releases/v1.0.0'],
      ['v1.1.0-rc.1', '2024-02-01T00:00:00.000Z', true, null],
    ]);
    const job = await test.db.selectFrom('gather_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    expect(job.etag).toBe('W/"first"');
    expect(job.last_run_at).toEqual(task.completed_at);
    expect(await evaluationsOf({ gatherJobId: jobId })).toEqual([{ organizationId, reason: 'gather_completed', target: { gatherJobId: jobId } }]);
    expect((await test.db.selectFrom('tasks').select('ingested_at').where('id', '=', task.id).executeTakeFirstOrThrow()).ingested_at).not.toBeNull();

    const before = JSON.stringify(await releasesOf(jobId));
    await deliver(task.id);
    await Promise.all([deliver(task.id), deliver(task.id)]);
    expect(JSON.stringify(await releasesOf(jobId))).toBe(before);
    expect(await evaluationsOf({ gatherJobId: jobId })).toHaveLength(1);
    expect(await engine.metric('planekeeper_task_ingestions_total', { kind: 'gather', outcome: 'duplicate' })).toBeGreaterThanOrEqual(3);
  });

  it('keep known releases, refresh their dates, flags and URLs, and add new ones', async () => {
    const jobId = (await makeGatherJob(test.db, organizationId)).id;
    await deliver((await reportedTask('gather', jobId, githubSpec(), {
      releases: [
        { tag: 'v1.0.0', publishedAt: null, prerelease: true, url: 'https://old.example/v1.0.0' },
        { tag: 'v0.9.0', publishedAt: '2023-01-01T00:00:00Z', prerelease: false },
      ],
    })).id);
    const [, firstV1] = await releasesOf(jobId);
    await deliver((await reportedTask('gather', jobId, githubSpec(), {
      releases: [
        { tag: 'v1.0.0', publishedAt: '2024-01-01T00:00:00Z', prerelease: false },
        { tag: 'v1.1.0', publishedAt: '2024-03-01T00:00:00Z', prerelease: false },
        { tag: 'v1.1.0', publishedAt: '2024-03-01T00:00:00Z', prerelease: false },
      ],
    })).id);
    const releases = await releasesOf(jobId);
    expect(releases.map((r) => r.tag)).toEqual(['v0.9.0', 'v1.0.0', 'v1.1.0']);
    const v1 = releases[1]!;
    expect(v1).toMatchObject({ id: firstV1!.id, published_at: new Date('2024-01-01T00:00:00Z'), prerelease: false, url: 'https://old.example/v1.0.0', first_seen_at: firstV1!.first_seen_at });
    expect((await test.db.selectFrom('gather_jobs').select('etag').where('id', '=', jobId).executeTakeFirstOrThrow()).etag).toBeNull();
    // No alert config uses this job: nothing to evaluate.
    expect(await evaluationsOf({ gatherJobId: jobId })).toEqual([]);
  });

  it('"not modified" changes no release and keeps the ETag', async () => {
    const jobId = (await makeGatherJob(test.db, organizationId, { etag: 'W/"kept"' })).id;
    await deliver((await reportedTask('gather', jobId, githubSpec(), { releases: [{ tag: 'v2.0.0', publishedAt: null, prerelease: false }], etag: 'W/"kept"' })).id);
    const before = JSON.stringify(await releasesOf(jobId));
    await deliver((await reportedTask('gather', jobId, githubSpec(), { releases: [], notModified: true, etag: 'W/"kept"' })).id);
    expect(JSON.stringify(await releasesOf(jobId))).toBe(before);
    expect((await test.db.selectFrom('gather_jobs').select('etag').where('id', '=', jobId).executeTakeFirstOrThrow()).etag).toBe('W/"kept"');
  });

  it('drop a result gathered from a source the job no longer has', async () => {
    const jobId = (await makeGatherJob(test.db, organizationId)).id;
    const task = await reportedTask('gather', jobId, githubSpec('old-repo'), { releases: [{ tag: 'v9.0.0', publishedAt: null, prerelease: false }] });
    await deliver(task.id);
    expect(await releasesOf(jobId)).toEqual([]);
    expect(engine.logs.find((l) => l.taskId === task.id)).toMatchObject({ outcome: 'outdated', jobId });
  });
});

describe('the digest of the last release list', () => {
  const list = [
    { tag: 'v1.0.0', publishedAt: '2024-01-01T00:00:00Z', prerelease: false, url: 'https://github.com/k/k/releases/v1.0.0' },
    { tag: 'v1.1.0', publishedAt: '2024-02-01T00:00:00Z', prerelease: false, url: 'https://github.com/k/k/releases/v1.1.0' },
    { tag: 'v1.2.0-rc.1', publishedAt: null, prerelease: true },
  ];
  /** What the api stores in place of a list whose digest its job has. */
  const unchanged = (releases: typeof list, etag: string | null) => ({ unchanged: true, releaseCount: releases.length, releasesDigest: releasesDigest(releases), etag });
  const digestOf = async (jobId: string) => (await test.db.selectFrom('gather_jobs').select('releases_digest').where('id', '=', jobId).executeTakeFirstOrThrow()).releases_digest;
  // xmin is the 32-bit transaction id; txid_current() adds the epoch above it.
  const txid = async () => (await sql<{ txid: string }>`SELECT (txid_current() % 4294967296)::text AS txid`.execute(test.db)).rows[0]!.txid;
  /** Release rows of the job inserted or updated by a transaction after `since`. */
  const writtenSince = async (jobId: string, since: string) =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM releases WHERE gather_job_id = ${jobId} AND xmin::text::bigint > ${since}::bigint`.execute(test.db)).rows[0]!.n);

  it('is stored with the upsert; a list stored as unchanged writes no release, keeps the new ETag, and is evaluated', async () => {
    const config = await makeAlertConfig(test.db, organizationId);
    const jobId = config.gather_job_id;
    await deliver((await reportedTask('gather', jobId, githubSpec(), { releases: list, etag: 'W/"first"' })).id);
    expect(await digestOf(jobId)).toBe(releasesDigest(list));
    const before = JSON.stringify(await releasesOf(jobId));
    const since = await txid();
    const task = await reportedTask('gather', jobId, githubSpec(), unchanged(list, 'W/"second"'));
    await deliver(task.id);
    expect(await writtenSince(jobId, since)).toBe(0);
    expect(JSON.stringify(await releasesOf(jobId))).toBe(before);
    const job = await test.db.selectFrom('gather_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ etag: 'W/"second"', releases_digest: releasesDigest(list), last_run_at: task.completed_at });
    expect((await test.db.selectFrom('tasks').select('ingested_at').where('id', '=', task.id).executeTakeFirstOrThrow()).ingested_at).not.toBeNull();
    expect(await evaluationsOf({ gatherJobId: jobId })).toHaveLength(2);
    expect(engine.logs.find((l) => l.taskId === task.id)).toMatchObject({ outcome: 'ingested', unchanged: true, releases: 3, added: 0, updated: 0, evaluated: true });
  });

  it('changes with every list upserted: a changed date is written, and a result stored as unchanged against an older list is dropped and the job read again in full', async () => {
    const config = await makeAlertConfig(test.db, organizationId);
    const jobId = config.gather_job_id;
    await deliver((await reportedTask('gather', jobId, githubSpec(), { releases: list })).id);
    // One release's date moved (the source corrected it): another digest, and the row is rewritten.
    const corrected = list.map((r) => (r.tag === 'v1.1.0' ? { ...r, publishedAt: '2024-02-02T00:00:00Z' } : r));
    const since = await txid();
    await deliver((await reportedTask('gather', jobId, githubSpec(), { releases: corrected })).id);
    expect(await writtenSince(jobId, since)).toBe(1);
    expect(await digestOf(jobId)).toBe(releasesDigest(corrected));
    // Stored as unchanged against the first list (the api no longer does so while a result waits,
    // but an operator's edit can still come between): nothing to upsert, so the job runs again.
    await test.db.updateTable('gather_jobs').set({ etag: 'W/"kept"', next_run_at: new Date(Date.now() + 86_400_000) }).where('id', '=', jobId).execute();
    const late = await reportedTask('gather', jobId, githubSpec(), unchanged(list, null));
    await deliver(late.id);
    expect((await releasesOf(jobId)).find((r) => r.tag === 'v1.1.0')?.published_at).toEqual(new Date('2024-02-02T00:00:00Z'));
    expect(await digestOf(jobId)).toBe(releasesDigest(corrected));
    expect(engine.logs.find((l) => l.taskId === late.id)).toMatchObject({ outcome: 'outdated', releasesChangedMeanwhile: true, runAgain: true });
    const job = await test.db.selectFrom('gather_jobs').select(['etag', 'next_run_at']).where('id', '=', jobId).executeTakeFirstOrThrow();
    expect(job.etag).toBeNull();
    expect(job.next_run_at!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await evaluationsOf({ gatherJobId: jobId })).toHaveLength(2);
  });

  it("is forgotten by anything else that changes or deletes the job's releases, and by a helm sync's new source", async () => {
    const jobId = (await makeGatherJob(test.db, organizationId)).id;
    const other = (await makeGatherJob(test.db, organizationId)).id;
    for (const job of [jobId, other]) await deliver((await reportedTask('gather', job, githubSpec(), { releases: list })).id);
    await test.db.updateTable('releases').set({ url: 'https://edited.example' }).where('gather_job_id', '=', jobId).where('tag', '=', 'v1.0.0').execute();
    expect(await digestOf(jobId)).toBeNull();
    expect(await digestOf(other)).toBe(releasesDigest(list));
    // The same list again is upserted whole, which undoes the edit, and known again.
    await deliver((await reportedTask('gather', jobId, githubSpec(), { releases: list })).id);
    expect((await releasesOf(jobId))[0]).toMatchObject({ tag: 'v1.0.0', url: 'https://github.com/k/k/releases/v1.0.0' });
    expect(await digestOf(jobId)).toBe(releasesDigest(list));
    await test.db.deleteFrom('releases').where('gather_job_id', '=', jobId).where('tag', '=', 'v1.2.0-rc.1').execute();
    expect(await digestOf(jobId)).toBeNull();
    expect(await digestOf(other)).toBe(releasesDigest(list));
    // A result stored as unchanged meanwhile finds no digest: dropped, nothing skipped for good.
    const late = await reportedTask('gather', jobId, githubSpec(), unchanged(list, null));
    await deliver(late.id);
    expect(engine.logs.find((l) => l.taskId === late.id)).toMatchObject({ outcome: 'outdated' });

    const sync = await test.db
      .insertInto('helm_sync_jobs')
      .values({ organization_id: organizationId, name: 'charts', repo_url: 'https://charts.example.com/old', schedule: '0 3 * * *', gather_schedule: '0 */6 * * *' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deliver((await reportedTask('helm_sync', sync.id, { repoUrl: sync.repo_url, chartFilter: null }, { charts: [{ name: 'nginx', versions: ['1.0.0'] }] })).id);
    const chartJob = await test.db.selectFrom('gather_jobs').selectAll().where('helm_sync_job_id', '=', sync.id).executeTakeFirstOrThrow();
    const chartSpec = { sourceType: 'helm_repo', source: chartJob.source, tagFilter: null, etag: null };
    await deliver((await reportedTask('gather', chartJob.id, chartSpec, { releases: list })).id);
    expect(await digestOf(chartJob.id)).toBe(releasesDigest(list));
    await test.db.updateTable('helm_sync_jobs').set({ repo_url: 'https://charts.example.com/new' }).where('id', '=', sync.id).execute();
    await deliver((await reportedTask('helm_sync', sync.id, { repoUrl: 'https://charts.example.com/new', chartFilter: null }, { charts: [{ name: 'nginx', versions: ['1.0.0'] }] })).id);
    expect(await digestOf(chartJob.id)).toBeNull();
  });
});

describe('scrape results', () => {
  it('add a snapshot per change (rollbacks included), none for the same version, once per task, trimmed to the history limit', async () => {
    const config = await makeAlertConfig(test.db, organizationId, { scrape_job_id: (await makeScrapeJob(test.db, organizationId, { history_limit: 3 })).id });
    const jobId = config.scrape_job_id;
    const report = async (version: string) => {
      const task = await reportedTask('scrape', jobId, scrapeSpec, { version, raw: `version: ${version}`, commitSha: 'abc1234' });
      await deliver(task.id);
      return task;
    };
    const first = await report('1.27.0');
    await deliver(first.id);
    expect(await snapshotsOf(jobId)).toEqual([expect.objectContaining({ version: '1.27.0', source: 'agent', task_id: first.id, raw: 'version: 1.27.0', commit_sha: 'abc1234' })]);
    await report('1.27.0');
    expect(await snapshotsOf(jobId)).toHaveLength(1);
    await report('1.28.0');
    await report('1.27.0');
    await report('1.29.0');
    expect((await snapshotsOf(jobId)).map((s) => s.version)).toEqual(['1.29.0', '1.27.0', '1.28.0']);
    expect(await evaluationsOf({ scrapeJobId: jobId })).toHaveLength(5);
    expect((await evaluationsOf({ scrapeJobId: jobId }))[0]).toEqual({ organizationId, reason: 'scrape_completed', target: { scrapeJobId: jobId } });
  });

  it('drop a result for a job that became manual', async () => {
    const job = await makeScrapeJob(test.db, organizationId);
    const task = await reportedTask('scrape', job.id, scrapeSpec, { version: '1.0.0', raw: null, commitSha: null });
    await test.db.updateTable('scrape_jobs').set({ parser: 'manual' }).where('id', '=', job.id).execute();
    await deliver(task.id);
    expect(await snapshotsOf(job.id)).toEqual([]);
  });
});

describe('helm sync results', () => {
  it('create one gather job per chart, then bring them up to date; a second delivery changes nothing', async () => {
    const sync = await test.db
      .insertInto('helm_sync_jobs')
      .values({ organization_id: organizationId, name: 'bitnami', repo_url: 'https://charts.example.com/bitnami', schedule: '0 3 * * *', gather_schedule: '0 */6 * * *', credential_name: 'charts' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const spec = { repoUrl: sync.repo_url, chartFilter: null };
    const firstTask = await reportedTask('helm_sync', sync.id, spec, {
      charts: [{ name: 'nginx', versions: ['15.0.0'] }, { name: 'redis', versions: ['18.0.0', '17.0.0'] }, { name: 'bad name!', versions: ['1.0.0'] }],
    });
    await deliver(firstTask.id);
    const jobsOf = () => test.db.selectFrom('gather_jobs').selectAll().where('helm_sync_job_id', '=', sync.id).orderBy('helm_chart').execute();
    const created = await jobsOf();
    expect(created.map((j) => [j.helm_chart, j.name, j.source_type, j.source, j.schedule, j.credential_name, j.enabled])).toEqual([
      ['nginx', 'nginx', 'helm_repo', { repoUrl: sync.repo_url, chart: 'nginx' }, '0 */6 * * *', 'charts', true],
      ['redis', 'redis', 'helm_repo', { repoUrl: sync.repo_url, chart: 'redis' }, '0 */6 * * *', 'charts', true],
    ]);
    for (const job of created) expect(Math.abs(job.next_run_at!.getTime() - Date.now())).toBeLessThan(10_000);
    expect((await test.db.selectFrom('helm_sync_jobs').select('last_run_at').where('id', '=', sync.id).executeTakeFirstOrThrow()).last_run_at).toEqual(firstTask.completed_at);

    // The user renames and disables one; the sync changes its gather schedule and credential.
    await test.db.updateTable('gather_jobs').set({ name: 'web server', enabled: false }).where('id', '=', created[0]!.id).execute();
    await test.db.updateTable('helm_sync_jobs').set({ gather_schedule: '0 0 * * *', credential_name: 'charts-v2' }).where('id', '=', sync.id).execute();
    const secondTask = await reportedTask('helm_sync', sync.id, spec, {
      charts: [{ name: 'nginx', versions: ['15.1.0'] }, { name: 'redis', versions: [] }, { name: 'postgresql', versions: ['16.0.0'] }],
    });
    await deliver(secondTask.id);
    const updated = await jobsOf();
    expect(updated.map((j) => [j.helm_chart, j.name, j.schedule, j.credential_name, j.enabled])).toEqual([
      ['nginx', 'web server', '0 0 * * *', 'charts-v2', false],
      ['postgresql', 'postgresql', '0 0 * * *', 'charts-v2', true],
      ['redis', 'redis', '0 0 * * *', 'charts-v2', true],
    ]);
    expect(updated[0]!.id).toBe(created[0]!.id);
    const midnight = updated[2]!.next_run_at!;
    expect(midnight.getUTCHours()).toBe(0);
    expect(midnight.getTime()).toBeGreaterThan(Date.now());

    const before = JSON.stringify(await jobsOf());
    await deliver(secondTask.id);
    expect(JSON.stringify(await jobsOf())).toBe(before);
  });
});

describe('other messages', () => {
  it('a failed task has nothing to ingest; a task that no longer exists is acknowledged', async () => {
    const jobId = (await makeGatherJob(test.db, organizationId)).id;
    const failed = await makeTask(test.db, organizationId, jobId, { status: 'failed', error: 'boom', completed_at: new Date() });
    await deliver(failed.id);
    expect((await test.db.selectFrom('tasks').select(['ingested_at', 'error']).where('id', '=', failed.id).executeTakeFirstOrThrow())).toEqual({ ingested_at: null, error: 'boom' });
    await deliver(crypto.randomUUID());
    expect(await engine.metric('planekeeper_task_ingestions_total', { outcome: 'missing' })).toBeGreaterThanOrEqual(1);
  });

  it('a stored result that does not fit its kind is recorded on the task, not retried', async () => {
    const jobId = (await makeGatherJob(test.db, organizationId)).id;
    const task = await reportedTask('gather', jobId, githubSpec(), { version: '1.0.0', raw: null, commitSha: null });
    await deliver(task.id);
    const row = await test.db.selectFrom('tasks').select(['ingested_at', 'error', 'status']).where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'succeeded', ingested_at: expect.any(Date), error: expect.stringMatching(/^result could not be ingested/) });
    expect(await releasesOf(jobId)).toEqual([]);
    expect(engine.logs.find((l) => l.taskId === task.id)).toMatchObject({ level: 'error', outcome: 'invalid' });
  });

  it('a payload that does not parse is dead-lettered at once with its reason logged, never retried', async () => {
    const id = (await boss.send(taskCompletedQueue.name, { organizationId, taskId: 'not-a-uuid' }))!;
    await waitFor('the refusal to be logged', async () => engine.logs.find((l) => l.jobId === id));
    expect(engine.logs.find((l) => l.jobId === id)).toMatchObject({ level: 'error', queue: 'task.completed', reason: expect.stringMatching(/taskId/), msg: expect.stringMatching(/invalid payload: dead-lettered/) });
    const dead = await waitFor('the dead letter', async () => (await sql<{ state: string; retry_count: number; dead_letter: string }>`
      SELECT j.state, j.retry_count, d.name AS dead_letter FROM pgboss.job j JOIN pgboss.job d ON d.source_id = j.id WHERE j.id = ${id}`.execute(test.db)).rows[0]);
    expect(dead).toEqual({ state: 'failed', retry_count: 0, dead_letter: 'dead-letters' });
  });
});
