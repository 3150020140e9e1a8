import type { OrganizationId } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import { sql, type Kysely } from 'kysely';

/** A release as an agent reported it. */
export interface ReleaseInput {
  tag: string;
  /** ISO timestamp, or null when the source gives no date. */
  publishedAt: string | null;
  prerelease: boolean;
  url?: string | null;
  /** The digest of an OCI tag, where its manifest was read. */
  digest?: string | null;
  /** endoflife jobs: the release cycle this release is the latest of (ReleaseCycle). */
  cycle?: Record<string, unknown> | null;
}

/** Rows per statement: large enough that 50,000 releases take a handful of round trips. */
const CHUNK = 5000;

/**
 * Adds the gather job's new releases and refreshes the known ones (publish date, prerelease flag,
 * URL, digest, release cycle), set-based, a few thousand per statement. Releases missing from
 * `releases` are kept (a source may page or prune its history). A known date, URL or digest is
 * not erased by an answer without one (an OCI gather reads digests of its newest tags only); a
 * cycle is replaced whole (endoflife.date moves its dates and flags). Rows that would not change
 * are not written, so ingesting the same answer twice changes nothing. A tag reported twice
 * counts once (the last wins).
 */
export async function upsertReleases(
  db: Kysely<Database>,
  organizationId: OrganizationId,
  gatherJobId: string,
  releases: readonly ReleaseInput[],
): Promise<{ added: number; updated: number }> {
  const byTag = new Map<string, ReleaseInput>();
  for (const release of releases) byTag.set(release.tag, release);
  const rows = [...byTag.values()].map((r) => ({
    tag: r.tag,
    published_at: r.publishedAt,
    prerelease: r.prerelease,
    url: r.url ?? null,
    digest: r.digest ?? null,
    cycle: r.cycle ?? null,
  }));
  let added = 0;
  let updated = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = JSON.stringify(rows.slice(start, start + CHUNK));
    const { rows: written } = await sql<{ inserted: boolean }>`
      INSERT INTO releases AS r (organization_id, gather_job_id, tag, published_at, prerelease, url, digest, cycle)
      SELECT ${organizationId}::uuid, ${gatherJobId}::uuid, x.tag, x.published_at, x.prerelease, x.url, x.digest, x.cycle
        FROM jsonb_to_recordset(${chunk}::jsonb) AS x(tag text, published_at timestamptz, prerelease boolean, url text, digest text, cycle jsonb)
      ON CONFLICT (gather_job_id, tag) DO UPDATE
         SET published_at = coalesce(excluded.published_at, r.published_at),
             prerelease = excluded.prerelease,
             url = coalesce(excluded.url, r.url),
             digest = coalesce(excluded.digest, r.digest),
             cycle = coalesce(excluded.cycle, r.cycle),
             updated_at = now()
       WHERE (coalesce(excluded.published_at, r.published_at), excluded.prerelease, coalesce(excluded.url, r.url),
              coalesce(excluded.digest, r.digest), coalesce(excluded.cycle, r.cycle))
             IS DISTINCT FROM (r.published_at, r.prerelease, r.url, r.digest, r.cycle)
      RETURNING (xmax = 0) AS inserted`.execute(db);
    for (const row of written) {
      if (row.inserted) added++;
      else updated++;
    }
  }
  return { added, updated };
}
