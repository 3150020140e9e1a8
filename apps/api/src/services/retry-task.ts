import type { TaskRow } from '@planekeeper/db';
import { conflict, notFound, type OrganizationId } from '@planekeeper/domain';
import { findJob } from '../db/jobs.queries.ts';
import { createPendingTask, findTask } from '../db/tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * Runs a failed task again as a new pending task of the same job. A new task, not the failed one
 * sent back: the failure stays in the history with its error, the new task carries the job's
 * current settings (a credential fixed since), and its attempts start again from zero, so the
 * taskengine's recovery does not give up on it at once for the attempts of the old one.
 * Refused (409) when the task did not fail, when its job may not run (disabled, manual), or when
 * the job already has an open task: the partial unique index decides that, so two retries racing
 * make one task.
 */
export async function retryTask(deps: Pick<ApiDeps, 'db' | 'logger'>, organizationId: OrganizationId, taskId: string, actorKeyId: string): Promise<TaskRow> {
  const failed = await findTask(deps.db, organizationId, taskId);
  if (!failed) throw notFound('task', taskId);
  if (failed.status !== 'failed') throw conflict(`task ${taskId} is ${failed.status}: only a failed task can be retried`);
  const job = await findJob(deps.db, organizationId, failed.kind, failed.job_id);
  // Deleting a job deletes its tasks, so this is a job deleted since the task was read.
  if (!job) throw notFound('task', taskId);
  if (!job.enabled) throw conflict(`task ${taskId} belongs to job ${job.id}, which is disabled: enable it to run it`);
  if ('parser' in job && job.parser === 'manual') throw conflict(`task ${taskId} belongs to scrape job ${job.id}, which is manual: nothing runs for it`);
  const { task, created } = await createPendingTask(deps.db, organizationId, failed.kind, job);
  if (!created) throw conflict(`job ${job.id} already has a ${task.status} task (${task.id}): wait for it or retry that one if it fails`);
  deps.logger.info({ organizationId, taskId: task.id, retriedTaskId: taskId, jobId: job.id, kind: task.kind, by: actorKeyId }, 'task retried');
  return task;
}
