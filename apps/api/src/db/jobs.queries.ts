import { JOB_TABLE, type Database, type GatherJobsTable, type HelmSyncJobsTable, type JobRowByKind, type ScrapeJobsTable } from '@planekeeper/db';
import type { OrganizationId, TaskKind } from '@planekeeper/domain';
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';

// One implementation for the three kinds of job. Kysely types a statement by its table; given the
// kind it cannot tell which of the three that is, so each query names the union of the job tables
// (whose shared columns, id and organization_id, are all it filters on) and its row is given the
// kind's type back. The kind alone picks the table, so the row is that kind's.

/** The table behind each kind of job. */
export interface JobTableByKind {
  gather: GatherJobsTable;
  scrape: ScrapeJobsTable;
  helm_sync: HelmSyncJobsTable;
}

/** The columns of a new job of a kind (its organization and next run are given apart). */
export type NewJob<K extends TaskKind> = Omit<Insertable<JobTableByKind[K]>, 'organization_id' | 'next_run_at'>;

/** Columns of a job of a kind to change (its next run is given apart). */
export type JobChanges<K extends TaskKind> = Omit<Updateable<JobTableByKind[K]>, 'next_run_at'>;

const jobTable = (kind: TaskKind): (typeof JOB_TABLE)[TaskKind] => JOB_TABLE[kind];

/** A job of the organization, locked with `forUpdate` until the caller commits. */
export async function findJob<K extends TaskKind>(db: Kysely<Database>, organizationId: OrganizationId, kind: K, id: string, options: { forUpdate?: boolean } = {}) {
  const row = await db
    .selectFrom(jobTable(kind))
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
  return row as JobRowByKind[K] | undefined;
}

/** Inserts a job; every write of a job says when it runs next (null: not scheduled). */
export async function insertJob<K extends TaskKind>(db: Kysely<Database>, organizationId: OrganizationId, kind: K, values: NewJob<K>, nextRunAt: Date | null): Promise<JobRowByKind[K]> {
  const row = await db
    .insertInto(jobTable(kind))
    .values({ ...values, organization_id: organizationId, next_run_at: nextRunAt } as Insertable<JobTableByKind[TaskKind]>)
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as JobRowByKind[K];
}

/** Writes `changes` and the next run to a job of the organization (which the caller has locked) and answers it. */
export async function updateJob<K extends TaskKind>(db: Kysely<Database>, organizationId: OrganizationId, kind: K, id: string, changes: JobChanges<K>, nextRunAt: Date | null): Promise<JobRowByKind[K]> {
  const row = await db
    .updateTable(jobTable(kind))
    .set({ ...changes, next_run_at: nextRunAt, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as JobRowByKind[K];
}

/** Deletes a job with what cascades from it (tasks, releases or snapshots); false when it is not the organization's. */
export async function deleteJob(db: Kysely<Database>, organizationId: OrganizationId, kind: TaskKind, id: string): Promise<boolean> {
  const result = await db.deleteFrom(jobTable(kind)).where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
