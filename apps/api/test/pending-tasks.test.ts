import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OrganizationId } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import { createTestDatabase, makeGatherJob, makeOrganization, type TestDatabase } from '@planekeeper/db/testing';
import type { Kysely } from 'kysely';
import { createPendingTask } from '../src/db/tasks.queries.ts';

let test: TestDatabase;
let db: Kysely<Database>;
let orgId: OrganizationId;

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  orgId = (await makeOrganization(db)).id;
});
afterAll(() => test.destroy());

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
