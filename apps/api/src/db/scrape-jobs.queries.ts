import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { OrganizationId, ScrapeJobListQuery } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, afterSortKey, createdAtKey, sortKeyText, type PageRequest } from './keyset.ts';

/** A page of the organization's scrape jobs, newest first, filtered by parser and enabled. */
export async function listScrapeJobs(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<ScrapeJobListQuery, 'parser' | 'enabled' | 'q'>, page: PageRequest) {
  let q = db.selectFrom('scrape_jobs').selectAll().select(createdAtKey('scrape_jobs').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.parser) q = q.where('parser', '=', filters.parser);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (filters.enabled) q = q.where('enabled', '=', filters.enabled === 'true');
  if (page.after) q = q.where(afterCreatedAt('scrape_jobs', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

/** Records that the job's version was read (or entered) now; not an edit of the job. */
export async function markScrapeJobRun(db: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<void> {
  await db.updateTable('scrape_jobs').set({ last_run_at: sql<Date>`now()` }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

const foundAt = sql<Date>`version_snapshots.found_at`;

/** A page of a scrape job's snapshots, newest first: the first item is the deployed version. */
export async function listSnapshots(db: Kysely<Database>, organizationId: OrganizationId, scrapeJobId: string, page: PageRequest) {
  let q = db
    .selectFrom('version_snapshots')
    .selectAll()
    .select(sortKeyText(foundAt).as('sort_key'))
    .where('organization_id', '=', organizationId)
    .where('scrape_job_id', '=', scrapeJobId);
  if (page.after) q = q.where(afterSortKey(foundAt, 'version_snapshots.id', page.after));
  return q.orderBy('found_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}
