import { JOB_TABLE, OPEN_TASK_STATUSES, type Database, type JobRowByKind, type TasksTable } from '@planekeeper/db';
import type { OrganizationId, TaskKind } from '@planekeeper/domain';
import { sql, type Insertable, type Transaction } from 'kysely';

// The scheduler works for every organization at once: these queries are the one place that
// reads jobs across tenants, and every task they make carries its job's organization.

/** A due job, locked, with the database's clock (the time its next run is counted from). */
export type DueJob<K extends TaskKind> = JobRowByKind[K] & { db_now: Date };

/**
 * Locks up to `limit` enabled jobs of `kind` whose next run has come. SKIP LOCKED lets several
 * taskengine replicas share the due jobs: each takes rows no other holds, and a row another
 * replica has just rescheduled no longer matches once its lock is released.
 *
 * FOR NO KEY UPDATE, the lock an UPDATE of next_run_at takes anyway, and not FOR UPDATE: inserting
 * a task checks its foreign key with FOR KEY SHARE on the job, which FOR UPDATE blocks. An api
 * "run now" would then hold its task's slot in the one-open-task index while waiting for this
 * transaction, whose own insert waits for that slot: a deadlock.
 */
export async function lockDueJobsAcrossOrganizations<K extends TaskKind>(trx: Transaction<Database>, kind: K, limit: number): Promise<DueJob<K>[]> {
  const now = sql<Date>`now()`;
  // One query per table (kysely types each); the casts only narrow the union back to `kind`.
  switch (kind) {
    case 'gather':
      return (await trx
        .selectFrom('gather_jobs')
        .selectAll()
        .select(now.as('db_now'))
        .where('enabled', '=', true)
        .where('next_run_at', '<=', now)
        .orderBy('next_run_at')
        .limit(limit)
        .forNoKeyUpdate()
        .skipLocked()
        .execute()) as unknown as DueJob<K>[];
    case 'scrape':
      return (await trx
        .selectFrom('scrape_jobs')
        .selectAll()
        .select(now.as('db_now'))
        .where('enabled', '=', true)
        .where('parser', '<>', 'manual')
        .where('next_run_at', '<=', now)
        .orderBy('next_run_at')
        .limit(limit)
        .forNoKeyUpdate()
        .skipLocked()
        .execute()) as unknown as DueJob<K>[];
    default:
      return (await trx
        .selectFrom('helm_sync_jobs')
        .selectAll()
        .select(now.as('db_now'))
        .where('enabled', '=', true)
        .where('next_run_at', '<=', now)
        .orderBy('next_run_at')
        .limit(limit)
        .forNoKeyUpdate()
        .skipLocked()
        .execute()) as unknown as DueJob<K>[];
  }
}

/**
 * Inserts pending tasks in one statement. A job whose task is still open keeps it: the partial
 * unique index answers the conflict and the row is skipped. Returns the tasks made.
 */
export async function insertPendingTasks(trx: Transaction<Database>, values: Insertable<TasksTable>[]) {
  if (values.length === 0) return [];
  return trx
    .insertInto('tasks')
    .values(values)
    .onConflict((oc) => oc.column('job_id').where('status', 'in', OPEN_TASK_STATUSES).doNothing())
    .returning(['id', 'organization_id', 'job_id', 'kind'])
    .execute();
}

/** Sets each job's next run (null: not scheduled again) in one statement; each job is named with its organization. */
export async function setNextRuns(
  trx: Transaction<Database>,
  kind: TaskKind,
  nextRuns: ReadonlyArray<{ organizationId: OrganizationId; id: string; nextRunAt: Date | null }>,
): Promise<void> {
  if (nextRuns.length === 0) return;
  const organizations = nextRuns.map((n) => n.organizationId);
  const ids = nextRuns.map((n) => n.id);
  const times = nextRuns.map((n) => n.nextRunAt?.toISOString() ?? null);
  await sql`
    UPDATE ${sql.table(JOB_TABLE[kind])} AS j
       SET next_run_at = v.next_run_at
      FROM unnest(${organizations}::uuid[], ${ids}::uuid[], ${times}::timestamptz[]) AS v(organization_id, id, next_run_at)
     WHERE j.organization_id = v.organization_id AND j.id = v.id`.execute(trx);
}
