import type { TaskRow } from '@planekeeper/db';
import { conflict, type OrganizationId, type TaskKind } from '@planekeeper/domain';
import { createPendingTask } from '../db/tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';
import type { JobKind } from './job-kinds.ts';
import { jobOr404 } from './jobs.ts';

/**
 * "Run now": one pending task for the job at once (`created`), or the task already open for it,
 * so pressing the button twice never queues the work twice. Agents waiting on a long poll hear of
 * the task through the database trigger when the transaction commits. A job with nothing to run
 * (manual) or disabled is refused (409): disabled jobs never run.
 */
export async function runJobNow<K extends TaskKind, C, U>(
  deps: Pick<ApiDeps, 'db' | 'logger'>,
  organizationId: OrganizationId,
  kind: JobKind<K, C, U>,
  id: string,
): Promise<{ task: TaskRow; created: boolean }> {
  const job = await jobOr404(deps.db, organizationId, kind, id);
  if (kind.idle?.is(job)) throw conflict(kind.idle.runRefusal(job));
  if (!job.enabled) throw conflict(`${kind.name} ${job.id} is disabled: enable it (PATCH { "enabled": true }) to run it`);
  const { task, created } = await createPendingTask(deps.db, organizationId, kind.kind, job);
  deps.logger.info({ organizationId, jobId: job.id, taskId: task.id, kind: kind.kind, created }, created ? 'job run requested' : 'job run requested: a task is already open');
  return { task, created };
}
