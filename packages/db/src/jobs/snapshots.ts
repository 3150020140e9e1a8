import type { OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { Database, VersionSnapshotRow } from '../schema.ts';

/** A deployed version to record for a scrape job. */
export interface VersionSnapshotInput {
  scrapeJobId: string;
  version: string;
  raw?: string | null;
  commitSha?: string | null;
  /** kubernetes: the digest of the deployed image. */
  imageDigest?: string | null;
  /** kubernetes and helm_release: what was read (ScrapeDetails). */
  details?: Record<string, unknown> | null;
  source: 'agent' | 'manual';
  /** The task whose result this is (agent snapshots): a second ingestion of it adds nothing. */
  taskId?: string | null;
  /** When the version was read; defaults to the transaction's now(). */
  foundAt?: Date;
}

/** What {@link recordVersionSnapshot} did. */
export interface RecordedSnapshot {
  snapshot: VersionSnapshotRow;
  /** False when the version was already the latest (or the task already recorded): no new row. */
  created: boolean;
  /** Snapshots deleted to keep the job's history limit. */
  trimmed: number;
}

/**
 * Records a deployed version, in the caller's transaction. The history is a list of changes:
 * a version different from the latest snapshot (a rollback to an older one included) adds a
 * snapshot; the same version again adds none (the existing snapshot keeps the time it was first
 * found, and the job's last_run_at says when it was last confirmed), so a job read every few
 * minutes does not push its real changes out of the history limit. The scrape job row is locked
 * so concurrent records of one job are decided one after the other. Trims the history to the
 * job's `history_limit`. Returns null when the job is not the organization's.
 */
export async function recordVersionSnapshot(
  db: Kysely<Database>,
  organizationId: OrganizationId,
  input: VersionSnapshotInput,
): Promise<RecordedSnapshot | null> {
  const job = await db
    .selectFrom('scrape_jobs')
    .select(['id', 'history_limit'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', input.scrapeJobId)
    .forUpdate()
    .executeTakeFirst();
  if (!job) return null;
  if (input.taskId) {
    const already = await db.selectFrom('version_snapshots').selectAll().where('organization_id', '=', organizationId).where('task_id', '=', input.taskId).executeTakeFirst();
    if (already) return { snapshot: already, created: false, trimmed: 0 };
  }
  const foundAt = input.foundAt ?? null;
  const previous = await db
    .selectFrom('version_snapshots')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('scrape_job_id', '=', job.id)
    .$if(foundAt !== null, (q) => q.where('found_at', '<=', foundAt as Date))
    .orderBy('found_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  // A digest-only image that moves is a new version even though the text of both is a digest.
  if (previous && previous.version === input.version && (previous.image_digest ?? null) === (input.imageDigest ?? null)) {
    return { snapshot: previous, created: false, trimmed: 0 };
  }
  const snapshot = await db
    .insertInto('version_snapshots')
    .values({
      organization_id: organizationId,
      scrape_job_id: job.id,
      version: input.version,
      raw: input.raw ?? null,
      commit_sha: input.commitSha ?? null,
      image_digest: input.imageDigest ?? null,
      details: input.details === undefined || input.details === null ? null : JSON.stringify(input.details),
      source: input.source,
      task_id: input.taskId ?? null,
      ...(foundAt ? { found_at: foundAt } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const trimmed = await trimVersionSnapshots(db, organizationId, job.id, job.history_limit);
  return { snapshot, created: true, trimmed };
}

/** Deletes a scrape job's snapshots beyond the newest `limit`; returns how many went. */
export async function trimVersionSnapshots(db: Kysely<Database>, organizationId: OrganizationId, scrapeJobId: string, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('version_snapshots')
    .where('organization_id', '=', organizationId)
    .where('scrape_job_id', '=', scrapeJobId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('version_snapshots')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('scrape_job_id', '=', scrapeJobId)
        .orderBy('found_at', 'desc')
        .orderBy('id', 'desc')
        .offset(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
