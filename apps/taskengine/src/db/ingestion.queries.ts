import type { OrganizationId } from '@planekeeper/domain';
import { JOB_TABLE, type Database, type TaskKind } from '@planekeeper/db';
import { sql, type Kysely } from 'kysely';

/** A reported task, as ingestion needs it. */
export async function lockReportedTask(db: Kysely<Database>, organizationId: OrganizationId, taskId: string) {
  return db
    .selectFrom('tasks')
    .select(['id', 'organization_id', 'kind', 'status', 'job_id', 'spec', 'result', 'completed_at', 'ingested_at'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', taskId)
    // Two deliveries of one message are decided one after the other: the second sees ingested_at.
    .forUpdate()
    .executeTakeFirst();
}

/** A reported task, locked. */
export type ReportedTask = NonNullable<Awaited<ReturnType<typeof lockReportedTask>>>;

/** Marks the task's result as ingested (with `error` when it could not be). */
export async function markIngested(db: Kysely<Database>, organizationId: OrganizationId, taskId: string, error?: string): Promise<void> {
  await db
    .updateTable('tasks')
    .set({ ingested_at: sql<Date>`now()`, ...(error ? { error } : {}) })
    .where('organization_id', '=', organizationId)
    .where('id', '=', taskId)
    .execute();
}

/** Records when the job last ran (a result ingested late never moves it back). */
export async function touchLastRun(db: Kysely<Database>, organizationId: OrganizationId, kind: TaskKind, jobId: string, ranAt: Date): Promise<void> {
  await sql`
    UPDATE ${sql.table(JOB_TABLE[kind])}
       SET last_run_at = greatest(last_run_at, ${ranAt.toISOString()}::timestamptz)
     WHERE organization_id = ${organizationId} AND id = ${jobId}`.execute(db);
}

/** Whether any alert config of the organization references the job (else there is nothing to evaluate). */
export async function isReferenced(db: Kysely<Database>, organizationId: OrganizationId, job: { gatherJobId: string } | { scrapeJobId: string }): Promise<boolean> {
  const row = await db
    .selectFrom('alert_configs')
    .select('id')
    .where('organization_id', '=', organizationId)
    .$if('gatherJobId' in job, (q) => q.where('gather_job_id', '=', (job as { gatherJobId: string }).gatherJobId))
    .$if('scrapeJobId' in job, (q) => q.where('scrape_job_id', '=', (job as { scrapeJobId: string }).scrapeJobId))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The gather job, locked against concurrent edits (a source change forgets releases). */
export async function lockGatherJob(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('gather_jobs').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Stores what the source answered: its ETag (null when it sent none) and, after an upsert, the
 * digest of the release list ingested (left as it is when not given).
 */
export async function recordGatherAnswer(db: Kysely<Database>, organizationId: OrganizationId, id: string, answer: { etag: string | null; releasesDigest?: string }): Promise<void> {
  await db
    .updateTable('gather_jobs')
    .set({ etag: answer.etag, ...(answer.releasesDigest ? { releases_digest: answer.releasesDigest } : {}) })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** Makes a gather job due now and forgets its ETag, so its next run reads the whole list. */
export async function runAgainSoon(db: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<void> {
  await db
    .updateTable('gather_jobs')
    .set({ etag: null, next_run_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** The scrape job, locked. */
export async function lockScrapeJob(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('scrape_jobs').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The helm sync job, locked. */
export async function lockHelmSyncJob(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('helm_sync_jobs').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
}
