import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, makeAgent, makeGatherJob, makeOrganization, makeTask, type TestDatabase } from '@planekeeper/db/testing';
import { claimTask, startTaskengine, ticksPass, waitFor, type TaskengineUnderTest } from './helpers/taskengine.ts';

let test: TestDatabase;
let engine: TaskengineUnderTest;
let organizationId: string;
let liveAgentId: string;

beforeAll(async () => {
  test = await createTestDatabase();
  organizationId = (await makeOrganization(test.db)).id;
  liveAgentId = (await makeAgent(test.db, organizationId, { name: 'alive' })).id;
  engine = await startTaskengine(test.url, {
    TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '3600',
    TASKENGINE_ORPHAN_CHECK_SECONDS: '0.2',
    AGENT_OFFLINE_AFTER_SECONDS: '90',
    TASKENGINE_STALE_TASK_SECONDS: '3600',
    TASKENGINE_TASK_MAX_ATTEMPTS: '3',
  });
});
afterAll(async () => {
  await engine?.stop();
  await test?.destroy();
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000);
const taskRow = (id: string) => test.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** A task claimed by `agentId`, made straight in the database (as a claim through the api leaves it). */
async function claimedTask(agentId: string, overrides: { claimed_at?: Date; lease_expires_at?: Date; attempts?: number } = {}) {
  const job = await makeGatherJob(test.db, organizationId);
  return makeTask(test.db, organizationId, job.id, {
    status: 'claimed', claimed_by: agentId, claimed_at: overrides.claimed_at ?? minutesAgo(1),
    lease_token: crypto.randomUUID(), lease_expires_at: overrides.lease_expires_at ?? inMinutes(4), attempts: overrides.attempts ?? 1,
  });
}

/** The task's row once recovered, and once its log line (which comes through stdout after the commit) has arrived. */
async function recovered(taskId: string) {
  return waitFor(`task ${taskId} to be recovered`, async () => {
    const row = await taskRow(taskId);
    return row.status !== 'claimed' && recoveryLog(taskId) !== undefined ? row : null;
  });
}

function recoveryLog(taskId: string) {
  return engine.logs.find((l) => l.taskId === taskId && typeof l.msg === 'string' && l.msg.startsWith('task recovered'));
}

describe('recovery', () => {
  it('gives back the task of an agent that stopped heart-beating, lease cleared, and it can be claimed again', async () => {
    const silent = await makeAgent(test.db, organizationId, { name: 'silent', last_heartbeat_at: minutesAgo(2) });
    const task = await claimedTask(silent.id);
    const healthy = await claimedTask(liveAgentId);
    const row = await recovered(task.id);
    expect(row).toMatchObject({ status: 'pending', claimed_by: null, claimed_at: null, lease_token: null, lease_expires_at: null, error: 'recovered: agent offline' });
    expect(recoveryLog(task.id)).toMatchObject({ level: 'warn', organizationId, jobId: task.job_id, agentId: silent.id, reason: 'agent_offline', outcome: 'requeued' });
    expect(await engine.metric('planekeeper_task_recoveries_total', { reason: 'agent_offline', outcome: 'requeued' })).toBeGreaterThanOrEqual(1);
    // A late report carries the old token: it no longer matches anything.
    expect(row.lease_token).not.toBe(task.lease_token);
    const lease = await claimTask(test.db, task.id, liveAgentId);
    expect(lease).toEqual(expect.any(String));
    expect(await taskRow(task.id)).toMatchObject({ status: 'claimed', claimed_by: liveAgentId, attempts: 2 });
    expect((await taskRow(healthy.id)).status).toBe('claimed');
  });

  it('gives back a task whose lease ran out though its agent is alive', async () => {
    const task = await claimedTask(liveAgentId, { lease_expires_at: minutesAgo(1) });
    expect(await recovered(task.id)).toMatchObject({ status: 'pending', lease_token: null, error: 'recovered: lease expired' });
    expect(recoveryLog(task.id)).toMatchObject({ reason: 'lease_expired', agentId: liveAgentId });
  });

  it('gives back a task claimed for longer than the stale limit, even with a renewed lease', async () => {
    const task = await claimedTask(liveAgentId, { claimed_at: minutesAgo(61), lease_expires_at: inMinutes(5) });
    expect(await recovered(task.id)).toMatchObject({ status: 'pending', error: 'recovered: stale' });
    expect(recoveryLog(task.id)).toMatchObject({ reason: 'stale', jobId: task.job_id });
    expect(await engine.metric('planekeeper_task_recoveries_total', { reason: 'stale' })).toBeGreaterThanOrEqual(1);
  });

  it('gives back the tasks of a deleted agent', async () => {
    const gone = await makeAgent(test.db, organizationId, { name: 'gone' });
    const task = await claimedTask(gone.id);
    await test.db.deleteFrom('agents').where('id', '=', gone.id).execute();
    expect(await recovered(task.id)).toMatchObject({ status: 'pending', error: 'recovered: agent offline' });
  });

  it('fails a task instead once agents have died on it too often, so its job runs at its next schedule', async () => {
    const task = await claimedTask(liveAgentId, { lease_expires_at: minutesAgo(1), attempts: 3 });
    const row = await recovered(task.id);
    expect(row).toMatchObject({ status: 'failed', lease_token: null, completed_at: expect.any(Date) });
    expect(row.error).toMatch(/gave up after 3 attempts/);
    expect(recoveryLog(task.id)).toMatchObject({ outcome: 'failed', reason: 'lease_expired' });
  });

  it('leaves healthy claims and recent finished tasks alone, and deletes finished tasks past retention', async () => {
    const healthy = await claimedTask(liveAgentId);
    const job = await makeGatherJob(test.db, organizationId);
    const recent = await makeTask(test.db, organizationId, job.id, { status: 'succeeded', completed_at: minutesAgo(120) });
    const old = await makeTask(test.db, organizationId, job.id, { status: 'failed', completed_at: minutesAgo(31 * 24 * 60) });
    await ticksPass([engine], 'recovery');
    expect(await taskRow(healthy.id)).toMatchObject({ status: 'claimed', lease_token: healthy.lease_token });
    expect((await taskRow(recent.id)).status).toBe('succeeded');
    expect(await test.db.selectFrom('tasks').select('id').where('id', '=', old.id).executeTakeFirst()).toBeUndefined();
    expect(recoveryLog(healthy.id)).toBeUndefined();
  });
});
