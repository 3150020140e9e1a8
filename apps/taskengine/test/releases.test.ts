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
