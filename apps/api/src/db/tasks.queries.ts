import type { Database } from '@planekeeper/db';
import type { TaskListQuery } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's tasks, newest first, filtered by job, status and kind. */
export async function listTasks(db: Kysely<Database>, organizationId: string, filters: TaskListQuery, page: PageRequest) {
  let q = db.selectFrom('tasks').selectAll().select(createdAtKey('tasks').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.jobId) q = q.where('job_id', '=', filters.jobId);
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.kind) q = q.where('kind', '=', filters.kind);
  if (page.after) q = q.where(afterCreatedAt('tasks', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findTask(db: Kysely<Database>, organizationId: string, id: string) {
  return db.selectFrom('tasks').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}
