import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { recordVersionSnapshot, taskSpecForJob, type Database } from '../src/index.ts';
import { createTestDatabase, makeGatherJob, makeOrganization, makeScrapeJob, type TestDatabase } from '../src/testing/index.ts';

let test: TestDatabase;
let db: Kysely<Database>;
let orgId: OrganizationId;

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

  it('hands a cluster scrape job its settings', async () => {
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
