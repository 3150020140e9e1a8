import type { Database } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';

/** The latest task of each of these jobs (gather, scrape or helm sync: tasks.job_id is any of them). */
export async function latestTasksOfJobs(db: Kysely<Database>, organizationId: OrganizationId, jobIds: readonly string[]) {
  if (jobIds.length === 0) return [];
  return db
    .selectFrom('tasks')
    .distinctOn('job_id')
    .select(['job_id', 'status', 'error', 'completed_at'])
    .where('organization_id', '=', organizationId)
    .where('job_id', 'in', jobIds)
    .orderBy('job_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
