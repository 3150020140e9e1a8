import { OPEN_TASK_STATUSES, pendingTaskValues, type Database, type JobRowByKind, type TaskRow } from '@planekeeper/db';
import type { OrganizationId, TaskKind, TaskListQuery } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's tasks, newest first, filtered by job, status and kind. */
export async function listTasks(db: Kysely<Database>, organizationId: OrganizationId, filters: TaskListQuery, page: PageRequest) {
  let q = db.selectFrom('tasks').selectAll().select(createdAtKey('tasks').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.jobId) q = q.where('job_id', '=', filters.jobId);
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.kind) q = q.where('kind', '=', filters.kind);
  if (page.after) q = q.where(afterCreatedAt('tasks', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findTask(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('tasks').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** The open (pending or claimed) task of a job, if any. */
export async function findOpenTask(db: Kysely<Database>, organizationId: OrganizationId, jobId: string): Promise<TaskRow | undefined> {
  return db
    .selectFrom('tasks')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('job_id', '=', jobId)
    .where('status', 'in', OPEN_TASK_STATUSES)
    .executeTakeFirst();
}

/**
 * Makes one pending task for `job`, or answers the task already open for it (the partial unique
 * index refuses a second, so concurrent calls agree on one task). The insert notifies waiting
 * agents through the database trigger when the transaction commits.
 */
export async function createPendingTask<K extends TaskKind>(
  db: Kysely<Database>,
  organizationId: OrganizationId,
  kind: K,
  job: JobRowByKind[K],
): Promise<{ task: TaskRow; created: boolean }> {
  if (job.organization_id !== organizationId) throw new Error(`job ${job.id} is not in organization ${organizationId}`);
  const values = pendingTaskValues(kind, job);
  // The open task may finish between the refused insert and the look-up: then insert again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insertInto('tasks')
      .values(values)
      .onConflict((oc) => oc.column('job_id').where('status', 'in', OPEN_TASK_STATUSES).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { task: inserted, created: true };
    const open = await findOpenTask(db, organizationId, job.id);
    if (open) return { task: open, created: false };
  }
  throw new Error(`could not create or find the open task of job ${job.id}`);
}

/**
 * Copies the job's current settings into its pending task, so an edit made while a task waits is
 * what the agent runs. A claimed task keeps the spec it was handed.
 */
export async function refreshPendingTask<K extends TaskKind>(db: Kysely<Database>, organizationId: OrganizationId, kind: K, job: JobRowByKind[K]): Promise<void> {
  const { spec, credential_name } = pendingTaskValues(kind, job);
  await db
    .updateTable('tasks')
    .set({ spec, credential_name, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('job_id', '=', job.id)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Ends a job's pending task as failed with `reason` (a disabled or manual job must not run); a
 * claimed task is left to finish. Returns the ids of the tasks ended.
 */
export async function cancelPendingTasks(db: Kysely<Database>, organizationId: OrganizationId, jobId: string, reason: string): Promise<string[]> {
  const rows = await db
    .updateTable('tasks')
    .set({ status: 'failed', error: reason, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('job_id', '=', jobId)
    .where('status', '=', 'pending')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
