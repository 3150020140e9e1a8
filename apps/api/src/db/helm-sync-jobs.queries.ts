import type { Database, HelmSyncJobRow, HelmSyncJobsTable } from '@planekeeper/db';
import type { HelmSyncJobListQuery, HelmSyncJobResponse } from '@planekeeper/domain';
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentHelmSyncJob(row: HelmSyncJobRow): HelmSyncJobResponse {
  return {
    id: row.id,
    name: row.name,
    repoUrl: row.repo_url,
    chartFilter: row.chart_filter,
    schedule: row.schedule,
    gatherSchedule: row.gather_schedule,
    credentialName: row.credential_name,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listHelmSyncJobs(db: Kysely<Database>, organizationId: string, query: HelmSyncJobListQuery) {
  let q = db.selectFrom('helm_sync_jobs').selectAll().select(cursorColumn('helm_sync_jobs').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.enabled) q = q.where('enabled', '=', query.enabled === 'true');
  if (query.cursor) q = q.where(afterCursor('helm_sync_jobs', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentHelmSyncJob);
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
