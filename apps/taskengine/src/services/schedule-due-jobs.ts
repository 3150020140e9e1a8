import { pendingTaskValues, type JobRowByKind, type TasksTable } from '@planekeeper/db';
import { nextRunAt, TASK_KIND_VALUES, type OrganizationId, type TaskKind } from '@planekeeper/domain';
import type { Insertable } from 'kysely';
import { insertPendingTasks, lockDueJobsAcrossOrganizations, setNextRuns, type DueJob } from '../db/schedule.queries.ts';
import type { TaskengineDeps } from '../deps.ts';

/** What one tick did, per kind. */
export type TickSummary = Record<TaskKind, { due: number; scheduled: number }>;

/**
 * One scheduler tick: every enabled job whose next run has come gets one pending task (none when
 * its last task is still open) and its next run from its cron expression, counted from the
 * database's clock. Set-based: a batch of due jobs costs three statements in one transaction
 * (lock, insert tasks, set next runs), whatever its size.
 *
 * Replicas need no leader: due rows are taken FOR UPDATE SKIP LOCKED, so two taskengines split
 * them rather than wait for each other, and the partial unique index on open tasks is the last
 * word should anything slip. (A singleton advisory lock would serialize the same work on one
 * replica and buy nothing more.)
 */
export async function scheduleDueJobs(deps: TaskengineDeps): Promise<TickSummary> {
  const summary = {} as TickSummary;
  for (const kind of TASK_KIND_VALUES) {
    summary[kind] = { due: 0, scheduled: 0 };
    for (;;) {
      const batch = await deps.db.transaction().execute((trx) => scheduleBatch(deps, trx, kind));
      summary[kind].due += batch.due;
      summary[kind].scheduled += batch.scheduled;
      if (batch.due < deps.config.TASKENGINE_SCHEDULE_BATCH_SIZE) break;
    }
    if (summary[kind].scheduled > 0) deps.metrics.tasksScheduled.inc({ kind }, summary[kind].scheduled);
  }
  return summary;
}

async function scheduleBatch<K extends TaskKind>(
  deps: TaskengineDeps,
  trx: Parameters<typeof lockDueJobsAcrossOrganizations>[0],
  kind: K,
): Promise<{ due: number; scheduled: number }> {
  const due = await lockDueJobsAcrossOrganizations(trx, kind, deps.config.TASKENGINE_SCHEDULE_BATCH_SIZE);
  if (due.length === 0) return { due: 0, scheduled: 0 };
  const tasks: Insertable<TasksTable>[] = [];
  const nextRuns: Array<{ organizationId: OrganizationId; id: string; nextRunAt: Date | null }> = [];
  for (const job of due) {
    const planned = plan(deps, kind, job);
    if (planned.task) tasks.push(planned.task);
    nextRuns.push({ organizationId: job.organization_id, id: job.id, nextRunAt: planned.nextRunAt });
  }
  const made = await insertPendingTasks(trx, tasks);
  await setNextRuns(trx, kind, nextRuns);
  for (const task of made) {
    deps.logger.debug({ organizationId: task.organization_id, jobId: task.job_id, taskId: task.id, kind }, 'task scheduled');
  }
  deps.logger.info({ kind, due: due.length, scheduled: made.length, stillOpen: tasks.length - made.length }, 'due jobs scheduled');
  return { due: due.length, scheduled: made.length };
}

/**
 * The task and next run of one due job. A job that cannot be planned (a schedule or settings
 * the API would have refused, written some other way) is logged and taken off the schedule
 * rather than retried every tick; saving it through the API schedules it again.
 */
function plan<K extends TaskKind>(deps: TaskengineDeps, kind: K, job: DueJob<K>): { task: Insertable<TasksTable> | null; nextRunAt: Date | null } {
  try {
    const schedule = job.schedule;
    if (schedule === null) throw new Error('the job has no schedule');
    return { task: pendingTaskValues(kind, job as JobRowByKind[K]), nextRunAt: nextRunAt(schedule, job.db_now) };
  } catch (error) {
    deps.logger.error({ err: error, organizationId: job.organization_id, jobId: job.id, kind }, 'job cannot be scheduled: it will not run until it is saved with valid settings');
    return { task: null, nextRunAt: null };
  }
}
