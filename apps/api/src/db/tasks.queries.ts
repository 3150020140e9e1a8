import type { Database, TaskRow } from '@planekeeper/db';
import type { TaskListQuery, TaskResponse } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A task as the automation API shows it: never its lease token (that belongs to the agent holding it). */
export function presentTask(row: TaskRow): TaskResponse {
  return {
    id: row.id,
    kind: row.kind,
    jobId: row.job_id,
    status: row.status,
    credentialName: row.credential_name,
    scheduledAt: row.scheduled_at.toISOString(),
    claimedBy: row.claimed_by,
    claimedAt: iso(row.claimed_at),
    leaseExpiresAt: iso(row.lease_expires_at),
    attempts: row.attempts,
    error: row.error,
    completedAt: iso(row.completed_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A page of the organization's tasks, newest first, filtered by job, status and kind. */
export async function listTasks(db: Kysely<Database>, organizationId: string, query: TaskListQuery) {
  let q = db.selectFrom('tasks').selectAll().select(cursorColumn('tasks').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.jobId) q = q.where('job_id', '=', query.jobId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.cursor) q = q.where(afterCursor('tasks', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentTask);
}

export async function findTask(db: Kysely<Database>, organizationId: string, id: string) {
  return db.selectFrom('tasks').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}
