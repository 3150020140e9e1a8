import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { HelmSyncJobListQuery, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's helm sync jobs, newest first, filtered by enabled. */
export async function listHelmSyncJobs(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<HelmSyncJobListQuery, 'enabled' | 'q'>, page: PageRequest) {
  let q = db.selectFrom('helm_sync_jobs').selectAll().select(createdAtKey('helm_sync_jobs').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.enabled) q = q.where('enabled', '=', filters.enabled === 'true');
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('helm_sync_jobs', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

/**
 * Detaches the gather jobs a helm sync job made, before it is deleted: they stay as ordinary
 * gather jobs (alert configs may use them), and the foreign key alone would leave helm_chart
 * behind without its sync. Returns how many there were.
 */
export async function detachSyncedGatherJobs(db: Kysely<Database>, organizationId: OrganizationId, helmSyncJobId: string): Promise<number> {
  const detached = await db
    .updateTable('gather_jobs')
    .set({ helm_sync_job_id: null, helm_chart: null, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('helm_sync_job_id', '=', helmSyncJobId)
    .executeTakeFirst();
  return Number(detached.numUpdatedRows);
}
