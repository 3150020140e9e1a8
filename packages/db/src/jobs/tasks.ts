import type { TaskKind } from '@planekeeper/domain';
import type { Insertable } from 'kysely';
import type { TasksTable } from '../schema.ts';
import { TASK_JOB_COLUMN, taskSpecForJob, type JobRowByKind } from './task-spec.ts';

/** Statuses of a task that still holds its job's one open slot (index tasks_one_open_per_job). */
export const OPEN_TASK_STATUSES = ['pending', 'claimed'] as const;

/** The row of a new pending task of `job`: its spec and credential copied from the job as it is now. */
export function pendingTaskValues<K extends TaskKind>(kind: K, job: JobRowByKind[K]): Insertable<TasksTable> & { spec: string } {
  return {
    organization_id: job.organization_id,
    kind,
    [TASK_JOB_COLUMN[kind]]: job.id,
    spec: JSON.stringify(taskSpecForJob(kind, job)),
    credential_name: job.credential_name,
  };
}
