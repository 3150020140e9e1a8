import type { Database, TaskRow } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';

export interface ClaimedTaskRow {
  id: string;
  kind: TaskRow['kind'];
  job_id: string;
  lease_token: string;
  lease_expires_at: Date;
  credential_name: string | null;
  spec: Record<string, unknown>;
  scheduled_at: Date;
}

/** What a claim came to: whether the organization has the agent, whether the key is still valid, and the tasks claimed. */
export interface ClaimOutcome {
  agentFound: boolean;
  /** False when the claiming key was revoked (or deleted): then nothing was claimed. */
  keyActive: boolean;
  tasks: ClaimedTaskRow[];
}

/**
 * Claims up to `max` pending tasks (and no more than the agent's max concurrent tasks) for an
 * agent, reading the agent's capabilities, credentials and draining flag in the same statement
 * (a claim is one round trip, however often an agent asks): oldest scheduled first, only kinds
 * it can run and credentials it declared, nothing while it drains, `FOR UPDATE SKIP LOCKED` so
 * concurrent claims never take the same task. Each claimed task gets a fresh lease token. The
 * claiming key (`keyId`) is read in the same statement too: a key revoked while its claim waited
 * claims nothing.
 */
export async function claimPendingTasks(
  db: Kysely<Database>,
  input: { organizationId: OrganizationId; agentId: string; keyId: string; max: number; leaseSeconds: number },
): Promise<ClaimOutcome> {
  // One row per task claimed, or one of nulls when none was; no row when the agent is unknown.
  // Prepared (PREPARED_STATEMENT_MARK): planning this statement costs more than running it.
  const { rows } = await sql<{ [K in keyof ClaimedTaskRow]: ClaimedTaskRow[K] | null } & { key_active: boolean }>`/* prepared */
    WITH claiming_key AS (
      SELECT 1 FROM api_keys
       WHERE organization_id = ${input.organizationId} AND id = ${input.keyId} AND revoked_at IS NULL
    ), agent AS (
      SELECT id, capabilities, credentials, draining, max_concurrent_tasks
        FROM agents WHERE organization_id = ${input.organizationId} AND id = ${input.agentId}
    ), picked AS (
      SELECT t.id FROM tasks AS t, agent AS a
       WHERE t.organization_id = ${input.organizationId}
         AND t.status = 'pending'
         AND t.scheduled_at <= now()
         AND NOT a.draining
         AND EXISTS (SELECT 1 FROM claiming_key)
         AND t.kind = ANY(a.capabilities)
         AND (t.credential_name IS NULL OR t.credential_name = ANY(a.credentials))
       ORDER BY t.scheduled_at, t.id
       LIMIT LEAST(${input.max}::int, (SELECT max_concurrent_tasks FROM agent))
       FOR UPDATE OF t SKIP LOCKED
    ), claimed AS (
      UPDATE tasks AS t
         SET status = 'claimed', claimed_by = ${input.agentId}, claimed_at = now(),
             lease_token = gen_random_uuid(), lease_expires_at = now() + make_interval(secs => ${input.leaseSeconds}),
             attempts = t.attempts + 1, error = NULL, updated_at = now()
        FROM picked
       WHERE t.id = picked.id
      RETURNING t.id, t.kind, t.job_id, t.lease_token, t.lease_expires_at, t.credential_name, t.spec, t.scheduled_at
    )
    SELECT c.*, EXISTS (SELECT 1 FROM claiming_key) AS key_active FROM agent AS a LEFT JOIN claimed AS c ON true`.execute(db);
  const tasks = rows.filter((row): row is ClaimedTaskRow & { key_active: boolean } => row.id !== null).map(({ key_active: _, ...task }) => task);
  return { agentFound: rows.length > 0, keyActive: rows[0]?.key_active ?? true, tasks: tasks.sort((a, b) => a.scheduled_at.getTime() - b.scheduled_at.getTime()) };
}

/** The task of the organization, locked for the rest of the transaction. */
export async function lockTask(trx: Transaction<Database>, organizationId: OrganizationId, taskId: string) {
  return trx
    .selectFrom('tasks')
    .select(['id', 'kind', 'status', 'lease_token', 'job_id', 'claimed_at', 'spec'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', taskId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * What a gather result is compared with: the job's source (the task must have read it) and the
 * digest of the release list last ingested. Not locked: the taskengine checks the digest again
 * under its lock before it relies on it.
 */
export async function findGatherJobDigest(db: Kysely<Database>, organizationId: OrganizationId, gatherJobId: string, taskId: string) {
  return db
    .selectFrom('gather_jobs as g')
    .select(['g.source_type', 'g.source', 'g.tag_filter', 'g.etag', 'g.releases_digest'])
    // An earlier run's result still waiting for the taskengine: the digest may be about to change.
    .select((eb) =>
      eb.exists(
        eb.selectFrom('tasks as t').select(sql`1`.as('one'))
          .whereRef('t.job_id', '=', 'g.id').where('t.organization_id', '=', organizationId)
          .where('t.status', '=', 'succeeded').where('t.ingested_at', 'is', null).where('t.id', '<>', taskId),
      ).as('result_waiting'))
    .where('g.organization_id', '=', organizationId)
    .where('g.id', '=', gatherJobId)
    .executeTakeFirst();
}

/** Extends a lease when `leaseToken` is still the task's; null when it is not (409). */
export async function renewLease(db: Kysely<Database>, organizationId: OrganizationId, taskId: string, leaseToken: string, leaseSeconds: number): Promise<Date | null> {
  const row = await db
    .updateTable('tasks')
    .set({ lease_expires_at: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', taskId)
    .where('status', '=', 'claimed')
    .where('lease_token', '=', leaseToken)
    .returning('lease_expires_at')
    .executeTakeFirst();
  return row?.lease_expires_at ?? null;
}

/** Whether the organization has the task (a lease that does not match it is then a 409, not a 404). */
export async function taskExists(db: Kysely<Database>, organizationId: OrganizationId, taskId: string): Promise<boolean> {
  const row = await db.selectFrom('tasks').select('id').where('organization_id', '=', organizationId).where('id', '=', taskId).executeTakeFirst();
  return row !== undefined;
}

/** Marks a claimed task done (succeeded with its result, or failed with its error). */
export async function finishTask(
  trx: Transaction<Database>,
  organizationId: OrganizationId,
  taskId: string,
  outcome: { status: 'succeeded'; result: unknown } | { status: 'failed'; error: string },
): Promise<void> {
  await trx
    .updateTable('tasks')
    .set({
      status: outcome.status,
      result: outcome.status === 'succeeded' ? JSON.stringify(outcome.result) : null,
      error: outcome.status === 'failed' ? outcome.error : null,
      lease_token: null,
      lease_expires_at: null,
      completed_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', taskId)
    .execute();
}
