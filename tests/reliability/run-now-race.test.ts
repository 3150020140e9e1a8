import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pendingTaskValues, type Database, type JobRowByKind } from '@planekeeper/db';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import type { Transaction } from 'kysely';
import { insertPendingTasks, lockDueJobsAcrossOrganizations } from '../../apps/taskengine/src/db/schedule.queries.ts';
import { startApp, type RunningApp } from '../support/app-process.ts';
import { BOOTSTRAP_KEY } from '../support/stack.ts';
import { caller, type Call } from '../security/tenants.ts';

// Found by the secrets workload (1 run in 6): "run now" on a job the scheduler is scheduling at
// that moment answered 500 "deadlock detected". A user creating a job and pressing "run now" at
// once meets the scheduler's first tick of that job, so this is the common case, not a rare one.
// Here the scheduler's two statements (the taskengine's own query functions) are held apart so
// the api's request lands between them every time.

let test: TestDatabase;
let api: RunningApp;
let call: Call;
let admin: string;

beforeAll(async () => {
  test = await createTestDatabase();
  api = await startApp('api', { DATABASE_URL: test.url, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, API_RATE_LIMIT_PER_MINUTE: '0' });
  call = caller(api.url);
  admin = (await call('POST', '/api/v1/organizations', { name: 'racers' })).body.adminKey.key;
});
afterAll(async () => {
  await api?.stop();
  await test?.destroy();
});

describe('run now while the scheduler schedules the same job', () => {
  it('answers with the one open task, never a deadlock, and the scheduler tick commits', async () => {
    const job = await call('POST', '/api/v1/gather-jobs', { name: 'new job', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget' }, schedule: '0 0 1 1 *' }, admin);
    expect(job.status).toBe(201);
    let runNow: Promise<{ status: number; body: unknown }> | undefined;
    const tick = test.db.transaction().execute(async (trx: Transaction<Database>) => {
      const due = await lockDueJobsAcrossOrganizations(trx, 'gather', 10);
      expect(due.map((j) => j.id)).toEqual([job.body.id]);
      runNow = call('POST', `/api/v1/gather-jobs/${job.body.id}/run`, undefined, admin);
      // Long enough for the api's insert to reach the job row the tick holds.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return insertPendingTasks(trx, due.map((j) => pendingTaskValues('gather', j as JobRowByKind['gather'])));
    });
    const [tickOutcome, runOutcome] = await Promise.allSettled([tick, (async () => {
      while (runNow === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      return runNow;
    })()]);
    expect(tickOutcome.status === 'fulfilled' ? 'committed' : String((tickOutcome as PromiseRejectedResult).reason)).toBe('committed');
    const answer = runOutcome.status === 'fulfilled' ? runOutcome.value : { status: 0, body: String(runOutcome.reason) };
    expect([200, 202]).toContain(answer.status);
    const tasks = await call('GET', `/api/v1/tasks?jobId=${job.body.id}`, undefined, admin);
    expect(tasks.body.items).toHaveLength(1);
  });
});
