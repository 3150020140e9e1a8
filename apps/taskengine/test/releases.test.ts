import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import { createTestDatabase, makeGatherJob, makeOrganization, type TestDatabase } from '@planekeeper/db/testing';
import type { Kysely } from 'kysely';
import { upsertReleases } from '../src/db/releases.queries.ts';

let test: TestDatabase;
let db: Kysely<Database>;
let orgId: OrganizationId;

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  orgId = (await makeOrganization(db)).id;
});
afterAll(() => test.destroy());

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
});
