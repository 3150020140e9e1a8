import { readsCurrentSource, releasesDigest, sendJob, type Database } from '@planekeeper/db';
import {
  conflict,
  notFound,
  taskCompletedQueue,
  taskResultKind,
  validationFailed,
  type GatherResult,
  type OrganizationId,
  type TaskFailureBody,
  type TaskResultBody,
  type UnchangedGatherResult,
} from '@planekeeper/domain';
import type { Transaction } from 'kysely';
import { findGatherJobDigest, finishTask, lockTask, renewLease, taskExists } from '../db/agent-tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';

type ReportDeps = Pick<ApiDeps, 'db' | 'boss' | 'logger' | 'metrics'>;

/** Counts a report that was taken (after its transaction committed), and how long the task ran. */
function countReport(deps: ReportDeps, task: { kind: string; claimed_at: Date | null }, outcome: 'succeeded' | 'failed'): void {
  deps.metrics.taskReports.inc({ kind: task.kind, outcome });
  if (task.claimed_at) deps.metrics.taskDuration.observe({ kind: task.kind }, Math.max(0, (Date.now() - task.claimed_at.getTime()) / 1000));
}

function staleLease(taskId: string) {
  return conflict(`the lease on task ${taskId} is no longer valid: the task was recovered, reassigned or already reported`);
}

/** The task, locked, when `leaseToken` is its current lease; else 404 (not the organization's) or 409. */
async function lockLeasedTask(trx: Transaction<Database>, organizationId: OrganizationId, taskId: string, leaseToken: string) {
  const task = await lockTask(trx, organizationId, taskId);
  if (!task) throw notFound('task', taskId);
  if (task.status !== 'claimed' || task.lease_token !== leaseToken) throw staleLease(taskId);
  return task;
}

/**
 * Extends the lease an agent holds on a task during long work.
 * @throws PlanekeeperError not_found (not the organization's task), conflict (the lease is no longer valid).
 */
export async function renewTaskLease(deps: Pick<ApiDeps, 'db' | 'config'>, organizationId: OrganizationId, taskId: string, leaseToken: string): Promise<Date> {
  const expires = await renewLease(deps.db, organizationId, taskId, leaseToken, deps.config.AGENT_LEASE_SECONDS);
  if (expires) return expires;
  throw (await taskExists(deps.db, organizationId, taskId)) ? staleLease(taskId) : notFound('task', taskId);
}

/**
 * A gather result as it is stored: when its release list is the one last ingested for the job
 * (same digest) and was read from the job's current source, not the list again (2.4 MB for
 * 20,000 releases, read back and upserted for nothing) but how many releases it had, their
 * digest and its ETag, which the taskengine ingests as unchanged. Not while an earlier run's
 * result waits to be ingested (it may change the releases first).
 */
async function gatherResultToStore(
  trx: Transaction<Database>,
  organizationId: OrganizationId,
  task: { id: string; job_id: string; spec: unknown },
  result: GatherResult,
): Promise<GatherResult | UnchangedGatherResult> {
  if (result.notModified === true) return result;
  const job = await findGatherJobDigest(trx, organizationId, task.job_id, task.id);
  // With an earlier run's list not yet ingested, the digest says nothing of what will be stored
  // before this one: this list is stored whole, and upserted after that one.
  if (!job?.releases_digest || job.result_waiting || !readsCurrentSource(task.spec, job)) return result;
  const digest = releasesDigest(result.releases);
  if (digest !== job.releases_digest) return result;
  return { unchanged: true, releaseCount: result.releases.length, releasesDigest: digest, etag: result.etag ?? null };
}

/**
 * An agent reports a task's result: under the lease it holds, the result (checked against the
 * task's kind) is stored and `task.completed` enqueued for the taskengine, in one transaction.
 * A report under a stale lease changes nothing (409).
 */
export async function reportTaskResult(deps: ReportDeps, organizationId: OrganizationId, taskId: string, body: TaskResultBody) {
  const { answer, task } = await deps.db.transaction().execute(async (trx) => {
    const task = await lockLeasedTask(trx, organizationId, taskId, body.leaseToken);
    const sent = taskResultKind(body.result);
    if (sent !== task.kind) throw validationFailed([{ path: 'result', message: `not a ${task.kind} result: a ${sent} result was sent` }]);
    const result = 'releases' in body.result ? await gatherResultToStore(trx, organizationId, task, body.result) : body.result;
    await finishTask(trx, organizationId, task.id, { status: 'succeeded', result });
    await sendJob(deps.boss, trx, taskCompletedQueue, { organizationId, taskId: task.id });
    return { answer: { taskId: task.id, status: 'succeeded' as const }, task };
  });
  countReport(deps, task, 'succeeded');
  return answer;
}

/** An agent reports that a task failed, under the lease it holds (409 and no change when stale). */
export async function reportTaskFailure(deps: ReportDeps, organizationId: OrganizationId, taskId: string, body: TaskFailureBody) {
  const { answer, task } = await deps.db.transaction().execute(async (trx) => {
    const task = await lockLeasedTask(trx, organizationId, taskId, body.leaseToken);
    await finishTask(trx, organizationId, task.id, { status: 'failed', error: body.error.message });
    deps.logger.info({ organizationId, taskId: task.id, jobId: task.job_id, kind: task.kind, retryable: body.error.retryable, error: body.error.message }, 'task failed');
    return { answer: { taskId: task.id, status: 'failed' as const }, task };
  });
  countReport(deps, task, 'failed');
  return answer;
}
