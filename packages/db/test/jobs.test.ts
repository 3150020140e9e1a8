import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { createPendingTask, recordVersionSnapshot, taskSpecForJob, upsertReleases, type Database } from '../src/index.ts';
import { createTestDatabase, makeGatherJob, makeOrganization, makeScrapeJob, type TestDatabase } from '../src/testing/index.ts';

let test: TestDatabase;
let db: Kysely<Database>;
let orgId: string;

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  orgId = (await makeOrganization(db)).id;
});
afterAll(() => test.destroy());

describe('taskSpecForJob', () => {
  it('hands a gather job its source, tag filter and stored ETag', async () => {
    const job = await makeGatherJob(db, orgId, { tag_filter: '^v', etag: 'W/"1"' });
    expect(taskSpecForJob('gather', job)).toEqual({ sourceType: 'github_release', source: { owner: 'kubernetes', repo: 'kubernetes' }, tagFilter: '^v', etag: 'W/"1"' });
  });

  it('refuses a manual scrape job: there is nothing to run', async () => {
    const job = await makeScrapeJob(db, orgId, { parser: 'manual', repo_url: null, file_path: null, expression: null, schedule: null });
    expect(() => taskSpecForJob('scrape', job)).toThrow(/manual/);
  });
});

describe('createPendingTask', () => {
  it('makes one task however many callers ask at once, and answers it to all of them', async () => {
    const job = await makeGatherJob(db, orgId);
    const answers = await Promise.all(Array.from({ length: 8 }, () => db.transaction().execute((trx) => createPendingTask(trx, orgId, 'gather', job))));
    expect(new Set(answers.map((a) => a.task.id)).size).toBe(1);
    expect(answers.filter((a) => a.created)).toHaveLength(1);
    expect(answers[0]!.task).toMatchObject({ status: 'pending', kind: 'gather', gather_job_id: job.id, credential_name: null });
  });

  it('refuses a job of another organization', async () => {
    const other = await makeOrganization(db, 'Globex');
    const job = await makeGatherJob(db, other.id);
    await expect(createPendingTask(db, orgId, 'gather', job)).rejects.toThrow(/not in organization/);
  });
});

describe('upsertReleases', () => {
  it('writes tens of thousands of releases in chunks, and rewrites only what changed', async () => {
    const job = await makeGatherJob(db, orgId);
    const releases = Array.from({ length: 12_000 }, (_, i) => ({ tag: `v1.${i}.0`, publishedAt: '2024-01-01T00:00:00Z', prerelease: false }));
    expect(await upsertReleases(db, orgId, job.id, releases)).toEqual({ added: 12_000, updated: 0 });
    expect(await upsertReleases(db, orgId, job.id, releases)).toEqual({ added: 0, updated: 0 });
    const changed = releases.map((r, i) => (i === 11_999 ? { ...r, prerelease: true } : r));
    expect(await upsertReleases(db, orgId, job.id, changed)).toEqual({ added: 0, updated: 1 });
  });
});

describe('releases with digests and release cycles', () => {
  it('keep a digest an answer without one does not erase, and take a cycle whole as it changes', async () => {
    const job = await makeGatherJob(db, orgId, { source_type: 'endoflife', source: JSON.stringify({ product: 'kubernetes' }) });
    const digest = `sha256:${'f'.repeat(64)}`;
    const cycle = { name: '1.31', eol: false, eolDate: '2025-10-28' };
    await upsertReleases(db, orgId, job.id, [{ tag: '1.31.5', publishedAt: null, prerelease: false, digest, cycle }]);
    expect(await upsertReleases(db, orgId, job.id, [{ tag: '1.31.5', publishedAt: null, prerelease: false }])).toEqual({ added: 0, updated: 0 });
    expect(await upsertReleases(db, orgId, job.id, [{ tag: '1.31.5', publishedAt: null, prerelease: false, cycle: { ...cycle, eol: true } }])).toEqual({ added: 0, updated: 1 });
    const row = await db.selectFrom('releases').select(['digest', 'cycle']).where('gather_job_id', '=', job.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ digest, cycle: { ...cycle, eol: true } });
  });

  it('hand a cluster scrape job its settings as its task spec', async () => {
    const kubernetes = { namespace: 'web', selector: 'app=nginx', container: null, kinds: ['Deployment'] };
    const job = await makeScrapeJob(db, orgId, { parser: 'kubernetes', repo_url: null, file_path: null, expression: null, credential_name: 'prod-eu', kubernetes: JSON.stringify(kubernetes) });
    expect(taskSpecForJob('scrape', job)).toEqual({ parser: 'kubernetes', kubernetes });
  });
});

describe('recordVersionSnapshot', () => {
  it('records a task once, and files a late result in the history without making it the latest', async () => {
    const job = await makeScrapeJob(db, orgId);
    const first = await recordVersionSnapshot(db, orgId, { scrapeJobId: job.id, version: '1.0', source: 'manual' });
    expect(first).toMatchObject({ created: true, trimmed: 0 });
    const again = await recordVersionSnapshot(db, orgId, { scrapeJobId: job.id, version: '1.0', source: 'manual' });
    expect(again).toMatchObject({ created: false, snapshot: { id: first!.snapshot.id } });
    const late = await recordVersionSnapshot(db, orgId, { scrapeJobId: job.id, version: '0.9', source: 'agent', foundAt: new Date(Date.now() - 3_600_000) });
    expect(late?.created).toBe(true);
    const latest = await db.selectFrom('version_snapshots').select('version').where('scrape_job_id', '=', job.id).orderBy('found_at', 'desc').executeTakeFirstOrThrow();
    expect(latest.version).toBe('1.0');
    expect(await recordVersionSnapshot(db, (await makeOrganization(db, 'Other')).id, { scrapeJobId: job.id, version: '2.0', source: 'manual' })).toBeNull();
  });
});
