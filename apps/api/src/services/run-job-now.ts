import { createPendingTask, type JobRowByKind, type TaskRow } from '@planekeeper/db';
import { conflict, type TaskKind } from '@planekeeper/domain';
import type { ApiDeps } from '../deps.ts';

const JOB_NAMES: Record<TaskKind, string> = { gather: 'gather job', scrape: 'scrape job', helm_sync: 'helm sync job' };

/**
 * "Run now": one pending task for the job at once (`created`), or the task already open for it,
 * so pressing the button twice never queues the work twice. Agents waiting on a long poll hear of
 * the task through the database trigger when the transaction commits. A disabled job is refused:
 * disabled jobs never run.
 */
export async function runJobNow<K extends TaskKind>(deps: ApiDeps, organizationId: string, kind: K, job: JobRowByKind[K]): Promise<{ task: TaskRow; created: boolean }> {
  if (!job.enabled) throw conflict(`${JOB_NAMES[kind]} ${job.id} is disabled: enable it (PATCH { "enabled": true }) to run it`);
  const { task, created } = await createPendingTask(deps.db, organizationId, kind, job);
  deps.logger.info({ organizationId, jobId: job.id, taskId: task.id, kind, created }, created ? 'job run requested' : 'job run requested: a task is already open');
  return { task, created };
}
