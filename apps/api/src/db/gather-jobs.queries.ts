import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { GatherJobListQuery, OrganizationId, ReleaseListQuery } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, afterSortKey, createdAtKey, sortKeyText, type PageRequest } from './keyset.ts';

/** A page of the organization's gather jobs, newest first, filtered by source type, enabled and helm sync job. */
export async function listGatherJobs(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<GatherJobListQuery, 'sourceType' | 'enabled' | 'helmSyncJobId' | 'q'>, page: PageRequest) {
  let q = db.selectFrom('gather_jobs').selectAll().select(createdAtKey('gather_jobs').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.sourceType) q = q.where('source_type', '=', filters.sourceType);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (filters.enabled) q = q.where('enabled', '=', filters.enabled === 'true');
  if (filters.helmSyncJobId) q = q.where('helm_sync_job_id', '=', filters.helmSyncJobId);
  if (page.after) q = q.where(afterCreatedAt('gather_jobs', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

/** Forgets a gather job's releases (its source changed: they describe something else). */
export async function deleteReleases(db: Kysely<Database>, organizationId: OrganizationId, gatherJobId: string): Promise<void> {
  await db.deleteFrom('releases').where('organization_id', '=', organizationId).where('gather_job_id', '=', gatherJobId).execute();
}

// Newest first by publish date; a release without one (most OCI tags) by when it was first gathered.
const releaseDate = sql<Date>`coalesce(releases.published_at, releases.first_seen_at)`;

/** A page of a gather job's releases, newest first (publish date, else first gathered). */
export async function listReleases(db: Kysely<Database>, organizationId: OrganizationId, gatherJobId: string, filters: Pick<ReleaseListQuery, 'prerelease'>, page: PageRequest) {
  let q = db
    .selectFrom('releases')
    .selectAll()
    .select(sortKeyText(releaseDate).as('sort_key'))
    .where('organization_id', '=', organizationId)
    .where('gather_job_id', '=', gatherJobId);
  if (filters.prerelease) q = q.where('prerelease', '=', filters.prerelease === 'true');
  if (page.after) q = q.where(afterSortKey(releaseDate, 'releases.id', page.after));
  return q.orderBy(releaseDate, 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}
