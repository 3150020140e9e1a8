import type { Database } from '@planekeeper/db';
import type { ListEnvelope, OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { latestTasksOfJobs } from '../../db/last-tasks.queries.ts';

type LastTask = { status: 'pending' | 'claimed' | 'succeeded' | 'failed'; error: string | null; completedAt: string | null };

async function lastTasks(db: Kysely<Database>, organizationId: OrganizationId, ids: string[]): Promise<Map<string, LastTask>> {
  const rows = await latestTasksOfJobs(db, organizationId, ids);
  return new Map(rows.map((row) => [row.job_id, { status: row.status, error: row.error, completedAt: row.completed_at?.toISOString() ?? null }]));
}

/** A page of jobs, each with `lastTask`: how its latest run went (one query for the page). */
export async function withLastTasks<T extends { id: string }>(db: Kysely<Database>, organizationId: OrganizationId, page: ListEnvelope<T>): Promise<ListEnvelope<T & { lastTask: LastTask | null }>> {
  const found = await lastTasks(db, organizationId, page.items.map((item) => item.id));
  return { ...page, items: page.items.map((item) => ({ ...item, lastTask: found.get(item.id) ?? null })) };
}

/** One job with `lastTask`. */
export async function withLastTask<T extends { id: string }>(db: Kysely<Database>, organizationId: OrganizationId, job: T): Promise<T & { lastTask: LastTask | null }> {
  const found = await lastTasks(db, organizationId, [job.id]);
  return { ...job, lastTask: found.get(job.id) ?? null };
}
