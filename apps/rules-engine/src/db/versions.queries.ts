import type { Database } from '@planekeeper/db';
import type { DeployedSnapshot, DigestedRelease, EolCycle, OrganizationId, ReleaseCandidate } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

/** A gathered release as evaluation reads it: with its digest, to place an image deployed by digest. */
type GatheredRelease = ReleaseCandidate & DigestedRelease;

/** Every gathered release of the given gather jobs, by gather job id (jobs with none are absent). */
export async function loadReleases(db: Db, organizationId: OrganizationId, gatherJobIds: readonly string[]): Promise<Map<string, GatheredRelease[]>> {
  const byJob = new Map<string, GatheredRelease[]>();
  if (gatherJobIds.length === 0) return byJob;
  const rows = await db
    .selectFrom('releases')
    .select(['gather_job_id', 'tag', 'published_at', 'first_seen_at', 'prerelease', 'digest'])
    .where('organization_id', '=', organizationId)
    .where('gather_job_id', 'in', gatherJobIds)
    .execute();
  for (const row of rows) {
    const release: GatheredRelease = { tag: row.tag, publishedAt: row.published_at, firstSeenAt: row.first_seen_at, prerelease: row.prerelease, digest: row.digest };
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
export async function latestDeployedVersions(db: Db, organizationId: OrganizationId, scrapeJobIds: readonly string[]): Promise<Map<string, DeployedSnapshot>> {
  if (scrapeJobIds.length === 0) return new Map();
  // One index probe per job: a DISTINCT ON over `scrape_job_id = ANY(...)` read the whole table
  // for each batch, every snapshot of every job included.
  const { rows } = await sql<{ scrape_job_id: string; version: string; image_digest: string | null }>`
    SELECT s.id AS scrape_job_id, v.version, v.image_digest
      FROM unnest(${scrapeJobIds}::uuid[]) AS s(id)
     CROSS JOIN LATERAL (
           SELECT version, image_digest FROM version_snapshots
            WHERE organization_id = ${organizationId}::uuid AND scrape_job_id = s.id
            ORDER BY found_at DESC, id DESC
            LIMIT 1) AS v`.execute(db);
  return new Map(rows.map((row) => [row.scrape_job_id, { version: row.version, imageDigest: row.image_digest }]));
}

/**
 * The release cycles endoflife gather jobs stored (one per release, in `cycle`), by gather job id;
 * every job asked for is present, with [] when it has gathered none.
 */
export async function loadCycles(db: Db, organizationId: OrganizationId, gatherJobIds: readonly string[]): Promise<Map<string, EolCycle[]>> {
  const byJob = new Map<string, EolCycle[]>(gatherJobIds.map((id) => [id, []]));
  if (gatherJobIds.length === 0) return byJob;
  const rows = await db
    .selectFrom('releases')
    .select(['gather_job_id', 'cycle'])
    .where('organization_id', '=', organizationId)
    .where('gather_job_id', 'in', gatherJobIds)
    .where('cycle', 'is not', null)
    .execute();
  for (const row of rows) {
    const cycle = row.cycle as { name?: unknown; eolDate?: unknown; eol?: unknown; latestVersion?: unknown } | null;
    if (cycle === null || typeof cycle.name !== 'string') continue;
    byJob.get(row.gather_job_id)?.push({
      name: cycle.name,
      eolDate: typeof cycle.eolDate === 'string' ? cycle.eolDate : null,
      eol: cycle.eol === true,
      latestVersion: typeof cycle.latestVersion === 'string' ? cycle.latestVersion : null,
    });
  }
  return byJob;
}
