import type { Database } from '@planekeeper/db';
import type { OrganizationId, ReleaseCandidate } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

/** Every gathered release of the given gather jobs, by gather job id (jobs with none are absent). */
export async function loadReleases(db: Db, organizationId: OrganizationId, gatherJobIds: readonly string[]): Promise<Map<string, ReleaseCandidate[]>> {
  const byJob = new Map<string, ReleaseCandidate[]>();
  if (gatherJobIds.length === 0) return byJob;
  const rows = await db
    .selectFrom('releases')
    .select(['gather_job_id', 'tag', 'published_at', 'first_seen_at', 'prerelease'])
    .where('organization_id', '=', organizationId)
    .where('gather_job_id', 'in', gatherJobIds)
    .execute();
  for (const row of rows) {
    const release: ReleaseCandidate = { tag: row.tag, publishedAt: row.published_at, firstSeenAt: row.first_seen_at, prerelease: row.prerelease };
    const list = byJob.get(row.gather_job_id);
    if (list) list.push(release);
    else byJob.set(row.gather_job_id, [release]);
  }
  return byJob;
}

/**
 * The deployed version of each scrape job: its latest snapshot (one query for the whole batch,
 * served by the version_snapshots_latest index). Jobs without a snapshot are absent.
 */
export async function latestDeployedVersions(db: Db, organizationId: OrganizationId, scrapeJobIds: readonly string[]): Promise<Map<string, string>> {
  if (scrapeJobIds.length === 0) return new Map();
  const { rows } = await sql<{ scrape_job_id: string; version: string }>`
    SELECT DISTINCT ON (scrape_job_id) scrape_job_id, version
      FROM version_snapshots
     WHERE organization_id = ${organizationId}::uuid AND scrape_job_id = ANY(${scrapeJobIds}::uuid[])
     ORDER BY scrape_job_id, found_at DESC, id DESC`.execute(db);
  return new Map(rows.map((row) => [row.scrape_job_id, row.version]));
}
