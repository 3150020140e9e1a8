import { JOB_TABLE, type Database, type JobRowByKind, type TaskRow } from '@planekeeper/db';
import type { TaskKind } from '@planekeeper/domain';
import type { Kysely } from 'kysely';

/** The task of the organization with the columns a retry decides on. */
export async function findTaskToRetry(db: Kysely<Database>, organizationId: string, taskId: string): Promise<Pick<TaskRow, 'id' | 'kind' | 'status' | 'job_id'> | undefined> {
  return db
    .selectFrom('tasks')
    .select(['id', 'kind', 'status', 'job_id'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', taskId)
    .executeTakeFirst();
}

/** The job a task of `kind` belongs to, as it is now (a retry runs the job's current settings). */
export async function findJobOfKind<K extends TaskKind>(db: Kysely<Database>, organizationId: string, kind: K, jobId: string): Promise<JobRowByKind[K] | undefined> {
  const row = await db
    .selectFrom(JOB_TABLE[kind] as 'gather_jobs')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', jobId)
    .executeTakeFirst();
  // The table was chosen by kind, so the row is that kind's job (kysely types one table at a time).
  return row as JobRowByKind[K] | undefined;
}
