import type { Database, HelmSyncJobsTable } from '@planekeeper/db';
import type { HelmSyncJobListQuery } from '@planekeeper/domain';
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's helm sync jobs, newest first, filtered by enabled. */
export async function listHelmSyncJobs(db: Kysely<Database>, organizationId: string, filters: Pick<HelmSyncJobListQuery, 'enabled'>, page: PageRequest) {
  let q = db.selectFrom('helm_sync_jobs').selectAll().select(createdAtKey('helm_sync_jobs').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.enabled) q = q.where('enabled', '=', filters.enabled === 'true');
  if (page.after) q = q.where(afterCreatedAt('helm_sync_jobs', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findHelmSyncJob(db: Kysely<Database>, organizationId: string, id: string, options: { forUpdate?: boolean } = {}) {
  return db
    .selectFrom('helm_sync_jobs')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function insertHelmSyncJob(db: Kysely<Database>, organizationId: string, values: Omit<Insertable<HelmSyncJobsTable>, 'organization_id'>) {
  return db.insertInto('helm_sync_jobs').values({ ...values, organization_id: organizationId }).returningAll().executeTakeFirstOrThrow();
}

export async function updateHelmSyncJob(db: Kysely<Database>, organizationId: string, id: string, changes: Updateable<HelmSyncJobsTable>) {
  return db
    .updateTable('helm_sync_jobs')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Deletes a helm sync job. The gather jobs it made are kept as ordinary gather jobs (alert
 * configs may use them): they are detached first, as the foreign key alone would leave
 * helm_chart behind without its sync.
 */
export async function deleteHelmSyncJob(db: Kysely<Database>, organizationId: string, id: string): Promise<{ deleted: boolean; detached: number }> {
  const detached = await db
    .updateTable('gather_jobs')
    .set({ helm_sync_job_id: null, helm_chart: null, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('helm_sync_job_id', '=', id)
    .executeTakeFirst();
  const result = await db.deleteFrom('helm_sync_jobs').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return { deleted: result.numDeletedRows > 0n, detached: Number(detached.numUpdatedRows) };
}
