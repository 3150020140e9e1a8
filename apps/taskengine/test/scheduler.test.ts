import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, makeGatherJob, makeOrganization, makeScrapeJob, type TestDatabase } from '@planekeeper/db/testing';
import { sql } from 'kysely';
import { startTaskengine, ticksPass, waitFor, type TaskengineUnderTest } from './helpers/taskengine.ts';

let test: TestDatabase;
let first: TaskengineUnderTest;
let second: TaskengineUnderTest;

beforeAll(async () => {
  test = await createTestDatabase();
  // Two replicas at once, ticking ten times a second: every test below runs against both.
  first = await startTaskengine(test.url, { TASKENGINE_SCHEDULE_BATCH_SIZE: '200' });
  second = await startTaskengine(test.url, { TASKENGINE_SCHEDULE_BATCH_SIZE: '200' });
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await test?.destroy();
});

const tasksOf = (jobId: string) => test.db.selectFrom('tasks').selectAll().where('job_id', '=', jobId).orderBy('created_at').execute();
const scheduledByBoth = async () => (await first.metric('planekeeper_tasks_scheduled_total')) + (await second.metric('planekeeper_tasks_scheduled_total'));

describe('the scheduler', () => {
  it('runs a job scheduled every second once per firing, with two taskengines running', async () => {
    const org = await makeOrganization(test.db);
    const job = await makeGatherJob(test.db, org.id, { schedule: '* * * * * *', next_run_at: new Date() });
    const scheduledBefore = await scheduledByBoth();
    const seen: Array<{ id: string; created_at: Date }> = [];
    const started = Date.now();
    // Play the agent: finish each task as soon as it appears, so the job is free to run again.
    while (Date.now() - started < 4500) {
      const open = await test.db.selectFrom('tasks').select(['id', 'created_at']).where('job_id', '=', job.id).where('status', '=', 'pending').execute();
      expect(open.length).toBeLessThanOrEqual(1);
      for (const task of open) {
        seen.push(task);
        await test.db.updateTable('tasks').set({ status: 'succeeded', completed_at: new Date() }).where('id', '=', task.id).execute();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await test.db.updateTable('gather_jobs').set({ enabled: false }).where('id', '=', job.id).execute();
    const elapsedSeconds = (Date.now() - started) / 1000;
    const all = await tasksOf(job.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
    // Each run belongs to its own firing: never two tasks in one second of the cron.
    const seconds = all.map((t) => Math.floor(t.created_at.getTime() / 1000));
    expect(new Set(seconds).size).toBe(all.length);
    // Both replicas together counted exactly the tasks that exist: none was made twice.
    expect((await scheduledByBoth()) - scheduledBefore).toBe(all.length);
    const row = await test.db.selectFrom('gather_jobs').select('next_run_at').where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(row.next_run_at!.getTime()).toBeGreaterThan(all[all.length - 1]!.created_at.getTime());
    for (const t of [first, second]) expect(t.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('leaves a job with an open task alone but keeps moving its next run', async () => {
    const org = await makeOrganization(test.db);
    const job = await makeGatherJob(test.db, org.id, { schedule: '* * * * * *', next_run_at: new Date() });
    const [task] = await waitFor('the first task', async () => {
      const rows = await tasksOf(job.id);
      return rows.length > 0 ? rows : null;
    });
    const firstNext = (await test.db.selectFrom('gather_jobs').select('next_run_at').where('id', '=', job.id).executeTakeFirstOrThrow()).next_run_at!;
    await waitFor('the next run to move on', async () => {
      const row = await test.db.selectFrom('gather_jobs').select('next_run_at').where('id', '=', job.id).executeTakeFirstOrThrow();
      return row.next_run_at!.getTime() > firstNext.getTime();
    });
    expect((await tasksOf(job.id)).map((t) => t.id)).toEqual([task!.id]);
    await test.db.updateTable('gather_jobs').set({ enabled: false }).where('id', '=', job.id).execute();
  });

  it('gives each of 1,000 due jobs exactly one task, in batches, and schedules their next run', async () => {
    const org = await makeOrganization(test.db);
    const past = new Date(Date.now() - 60_000);
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      organization_id: org.id, name: `job ${i}`, source_type: 'github_release' as const,
      source: JSON.stringify({ owner: 'o', repo: `r${i}` }), schedule: '0 0 1 1 *', next_run_at: past,
    }));
    await test.db.insertInto('gather_jobs').values(rows).execute();
    await waitFor('a task for every job', async () => {
      const { n } = await test.db.selectFrom('tasks').select(test.db.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
      return Number(n) === 1000;
    }, 20_000);
    await ticksPass([first, second], 'scheduler');
    const { rows: perJob } = await sql<{ tasks: string }>`
      SELECT count(t.id) AS tasks FROM gather_jobs g LEFT JOIN tasks t ON t.job_id = g.id WHERE g.organization_id = ${org.id} GROUP BY g.id`.execute(test.db);
    expect(perJob).toHaveLength(1000);
    expect(perJob.every((r) => Number(r.tasks) === 1)).toBe(true);
    const nextYear = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1));
    const { rows: next } = await sql<{ n: string }>`SELECT count(*) AS n FROM gather_jobs WHERE organization_id = ${org.id} AND next_run_at = ${nextYear.toISOString()}::timestamptz`.execute(test.db);
    expect(Number(next[0]!.n)).toBe(1000);
    // Batches of 200: no single statement took all of them.
    const batches = [...first.logs, ...second.logs].filter((l) => l.msg === 'due jobs scheduled' && l.kind === 'gather' && Number(l.due) > 1);
    expect(batches.every((l) => Number(l.due) <= 200)).toBe(true);
  });

  it('never runs disabled jobs or manual scrape jobs; scrape and helm sync jobs get tasks with their specs', async () => {
    const org = await makeOrganization(test.db);
    const past = new Date(Date.now() - 60_000);
    const disabled = await makeGatherJob(test.db, org.id, { enabled: false, next_run_at: past });
    const manual = await makeScrapeJob(test.db, org.id, { parser: 'manual', repo_url: null, file_path: null, expression: null, schedule: null, next_run_at: past });
    const scrape = await makeScrapeJob(test.db, org.id, { next_run_at: past, credential_name: 'deploy-key' });
    const sync = await test.db
      .insertInto('helm_sync_jobs')
      .values({ organization_id: org.id, name: 'charts', repo_url: 'https://charts.example.com', chart_filter: '^nginx$', schedule: '0 3 * * *', gather_schedule: '0 */6 * * *', next_run_at: past })
      .returningAll()
      .executeTakeFirstOrThrow();
    await waitFor('tasks for the enabled jobs', async () => (await tasksOf(scrape.id)).length === 1 && (await tasksOf(sync.id)).length === 1);
    await ticksPass([first, second], 'scheduler');
    expect(await tasksOf(disabled.id)).toEqual([]);
    expect(await tasksOf(manual.id)).toEqual([]);
    const [scrapeTask] = await tasksOf(scrape.id);
    expect(scrapeTask).toMatchObject({ kind: 'scrape', status: 'pending', credential_name: 'deploy-key', spec: { repoUrl: scrape.repo_url, ref: 'main', filePath: scrape.file_path, parser: 'yq', expression: scrape.expression } });
    const [syncTask] = await tasksOf(sync.id);
    expect(syncTask).toMatchObject({ kind: 'helm_sync', spec: { repoUrl: 'https://charts.example.com', chartFilter: '^nginx$' } });
    const untouched = await test.db.selectFrom('gather_jobs').select('next_run_at').where('id', '=', disabled.id).executeTakeFirstOrThrow();
    expect(untouched.next_run_at).toEqual(past);
  });

  it('takes a job it cannot plan off the schedule, says why, and goes on with the others', async () => {
    const org = await makeOrganization(test.db);
    const past = new Date(Date.now() - 60_000);
    const broken = await makeGatherJob(test.db, org.id, { schedule: 'every day', next_run_at: past });
    const fine = await makeGatherJob(test.db, org.id, { next_run_at: past });
    await waitFor('the healthy job to be scheduled', async () => (await tasksOf(fine.id)).length === 1);
    expect(await tasksOf(broken.id)).toEqual([]);
    const row = await test.db.selectFrom('gather_jobs').select('next_run_at').where('id', '=', broken.id).executeTakeFirstOrThrow();
    expect(row.next_run_at).toBeNull();
    const complaint = [...first.logs, ...second.logs].find((l) => l.jobId === broken.id && l.level === 'error');
    expect(complaint?.msg).toMatch(/cannot be scheduled/);
  });
});

describe('the ops server', () => {
  it('answers /healthz, /readyz and /metrics with the task gauge and counters', async () => {
    const base = `http://127.0.0.1:${first.service.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: true, migrations: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/planekeeper_tasks\{status="pending",service="taskengine"\} [1-9]/);
    expect(metrics).toMatch(/planekeeper_tasks_scheduled_total\{kind="gather",service="taskengine"\} \d+/);
  });
});
