import type { Database, ScrapeJobRow, ScrapeJobsTable, VersionSnapshotRow } from '@planekeeper/db';
import type { ScrapeJobListQuery, ScrapeJobResponse, VersionSnapshotListQuery, VersionSnapshotResponse } from '@planekeeper/domain';
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';
import { afterSortKey, sortKeyText } from './sorted-pages.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentScrapeJob(row: ScrapeJobRow): ScrapeJobResponse {
  return {
    id: row.id,
    name: row.name,
    repoUrl: row.repo_url,
    ref: row.ref,
    filePath: row.file_path,
    parser: row.parser,
    expression: row.expression,
    kubernetes: row.kubernetes as ScrapeJobResponse['kubernetes'],
    helmRelease: row.helm_release as ScrapeJobResponse['helmRelease'],
    credentialName: row.credential_name,
    schedule: row.schedule,
    historyLimit: row.history_limit,
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listScrapeJobs(db: Kysely<Database>, organizationId: string, query: ScrapeJobListQuery) {
  let q = db.selectFrom('scrape_jobs').selectAll().select(cursorColumn('scrape_jobs').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.parser) q = q.where('parser', '=', query.parser);
  if (query.enabled) q = q.where('enabled', '=', query.enabled === 'true');
  if (query.cursor) q = q.where(afterCursor('scrape_jobs', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentScrapeJob);
}

export async function findScrapeJob(db: Kysely<Database>, organizationId: string, id: string, options: { forUpdate?: boolean } = {}) {
  return db
    .selectFrom('scrape_jobs')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function insertScrapeJob(db: Kysely<Database>, organizationId: string, values: Omit<Insertable<ScrapeJobsTable>, 'organization_id'>) {
  return db.insertInto('scrape_jobs').values({ ...values, organization_id: organizationId }).returningAll().executeTakeFirstOrThrow();
}

export async function updateScrapeJob(db: Kysely<Database>, organizationId: string, id: string, changes: Updateable<ScrapeJobsTable>) {
  return db
    .updateTable('scrape_jobs')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteScrapeJob(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('scrape_jobs').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function presentSnapshot(row: VersionSnapshotRow): VersionSnapshotResponse {
  return {
    id: row.id,
    scrapeJobId: row.scrape_job_id,
    version: row.version,
    raw: row.raw,
    commitSha: row.commit_sha,
    imageDigest: row.image_digest,
    details: row.details as VersionSnapshotResponse['details'],
    source: row.source,
    foundAt: row.found_at.toISOString(),
  };
}

const foundAt = sql<Date>`version_snapshots.found_at`;

/** A page of a scrape job's snapshots, newest first: the first item is the deployed version. */
export async function listSnapshots(db: Kysely<Database>, organizationId: string, scrapeJobId: string, query: VersionSnapshotListQuery) {
  let q = db
    .selectFrom('version_snapshots')
    .selectAll()
    .select(sortKeyText(foundAt).as('cursor_ts'))
    .where('organization_id', '=', organizationId)
    .where('scrape_job_id', '=', scrapeJobId);
  if (query.cursor) q = q.where(afterSortKey(foundAt, 'version_snapshots.id', query.cursor));
  const rows = await q.orderBy('found_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentSnapshot);
}
