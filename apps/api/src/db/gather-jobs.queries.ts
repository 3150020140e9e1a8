import type { Database, GatherJobRow, GatherJobsTable, ReleaseRow } from '@planekeeper/db';
import type { GatherJobListQuery, GatherJobResponse, ReleaseListQuery, ReleaseResponse } from '@planekeeper/domain';
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';
import { afterSortKey, sortKeyText } from './sorted-pages.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentGatherJob(row: GatherJobRow): GatherJobResponse {
  return {
    id: row.id,
    name: row.name,
    sourceType: row.source_type,
    source: row.source as GatherJobResponse['source'],
    schedule: row.schedule,
    tagFilter: row.tag_filter,
    credentialName: row.credential_name,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    helmSyncJobId: row.helm_sync_job_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listGatherJobs(db: Kysely<Database>, organizationId: string, query: GatherJobListQuery) {
  let q = db.selectFrom('gather_jobs').selectAll().select(cursorColumn('gather_jobs').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.sourceType) q = q.where('source_type', '=', query.sourceType);
  if (query.enabled) q = q.where('enabled', '=', query.enabled === 'true');
  if (query.helmSyncJobId) q = q.where('helm_sync_job_id', '=', query.helmSyncJobId);
  if (query.cursor) q = q.where(afterCursor('gather_jobs', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentGatherJob);
}

export async function findGatherJob(db: Kysely<Database>, organizationId: string, id: string, options: { forUpdate?: boolean } = {}) {
  return db
    .selectFrom('gather_jobs')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function insertGatherJob(db: Kysely<Database>, organizationId: string, values: Omit<Insertable<GatherJobsTable>, 'organization_id'>) {
  return db.insertInto('gather_jobs').values({ ...values, organization_id: organizationId }).returningAll().executeTakeFirstOrThrow();
}

export async function updateGatherJob(db: Kysely<Database>, organizationId: string, id: string, changes: Updateable<GatherJobsTable>) {
  return db
    .updateTable('gather_jobs')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteGatherJob(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('gather_jobs').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** An alert config of the organization that references the job, if any (such a job cannot be deleted). */
export async function findAlertConfigUsing(db: Kysely<Database>, organizationId: string, job: { gatherJobId: string } | { scrapeJobId: string }) {
  return db
    .selectFrom('alert_configs')
    .select(['id', 'name'])
    .where('organization_id', '=', organizationId)
    .$if('gatherJobId' in job, (q) => q.where('gather_job_id', '=', (job as { gatherJobId: string }).gatherJobId))
    .$if('scrapeJobId' in job, (q) => q.where('scrape_job_id', '=', (job as { scrapeJobId: string }).scrapeJobId))
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

/** Forgets a gather job's releases (its source changed: they describe something else). */
export async function deleteReleases(db: Kysely<Database>, organizationId: string, gatherJobId: string): Promise<void> {
  await db.deleteFrom('releases').where('organization_id', '=', organizationId).where('gather_job_id', '=', gatherJobId).execute();
}

export function presentRelease(row: ReleaseRow): ReleaseResponse {
  return {
    id: row.id,
    gatherJobId: row.gather_job_id,
    tag: row.tag,
    publishedAt: iso(row.published_at),
    prerelease: row.prerelease,
    url: row.url,
    firstSeenAt: row.first_seen_at.toISOString(),
    digest: row.digest,
    cycle: row.cycle as ReleaseResponse['cycle'],
  };
}

// Newest first by publish date; a release without one (most OCI tags) by when it was first gathered.
const releaseDate = sql<Date>`coalesce(releases.published_at, releases.first_seen_at)`;

/** A page of a gather job's releases, newest first (publish date, else first gathered). */
export async function listReleases(db: Kysely<Database>, organizationId: string, gatherJobId: string, query: ReleaseListQuery) {
  let q = db
    .selectFrom('releases')
    .selectAll()
    .select(sortKeyText(releaseDate).as('cursor_ts'))
    .where('organization_id', '=', organizationId)
    .where('gather_job_id', '=', gatherJobId);
  if (query.prerelease) q = q.where('prerelease', '=', query.prerelease === 'true');
  if (query.cursor) q = q.where(afterSortKey(releaseDate, 'releases.id', query.cursor));
  const rows = await q.orderBy(releaseDate, 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentRelease);
}
