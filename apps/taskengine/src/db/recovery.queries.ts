import type { Database, TaskKind } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type RawBuilder } from 'kysely';

// Recovery works for every organization at once; each task it touches carries its own.

/** Why a claimed task is taken back. */
export type RecoveryReason = 'agent_offline' | 'lease_expired' | 'stale';

/** A task taken back from its agent. */
export interface RecoveredTask {
  id: string;
  organization_id: OrganizationId;
  job_id: string;
  kind: TaskKind;
  agent_id: string | null;
  attempts: number;
  status: 'pending' | 'failed';
}

export interface RecoveryLimits {
  offlineAfterSeconds: number;
  staleSeconds: number;
  maxAttempts: number;
}

function condition(reason: RecoveryReason, limits: RecoveryLimits): RawBuilder<boolean> {
  switch (reason) {
    case 'agent_offline':
      // A deleted agent (claimed_by set null) holds its tasks no more than an offline one.
      return sql<boolean>`(t.claimed_by IS NULL OR a.last_heartbeat_at < now() - make_interval(secs => ${limits.offlineAfterSeconds}))`;
    case 'lease_expired':
      return sql<boolean>`t.lease_expires_at < now()`;
    default:
      return sql<boolean>`t.claimed_at < now() - make_interval(secs => ${limits.staleSeconds})`;
  }
}

/**
 * Takes back claimed tasks that meet `reason`: back to pending with the lease cleared (a late
 * report with the old token gets 409; the trigger wakes waiting agents), or failed once it has
 * been claimed `maxAttempts` times. Rows a report is locking right now are skipped: the report
 * decides them, and the next check sees what it left.
 */
export async function recoverClaimedTasksAcrossOrganizations(db: Kysely<Database>, reason: RecoveryReason, limits: RecoveryLimits): Promise<RecoveredTask[]> {
  const note = reason.replace('_', ' ');
  const { rows } = await sql<RecoveredTask>`
    WITH orphaned AS (
      SELECT t.id, t.claimed_by AS agent_id
        FROM tasks t
        LEFT JOIN agents a ON a.id = t.claimed_by
       WHERE t.status = 'claimed' AND ${condition(reason, limits)}
       FOR UPDATE OF t SKIP LOCKED
    )
    UPDATE tasks t
       SET status = CASE WHEN t.attempts >= ${limits.maxAttempts} THEN 'failed' ELSE 'pending' END,
           error = CASE WHEN t.attempts >= ${limits.maxAttempts}
                        THEN 'gave up after ' || t.attempts || ' attempts; the last ended by recovery: ' || ${note}
                        ELSE 'recovered: ' || ${note} END,
           completed_at = CASE WHEN t.attempts >= ${limits.maxAttempts} THEN now() END,
           claimed_by = NULL, claimed_at = NULL, lease_token = NULL, lease_expires_at = NULL,
           updated_at = now()
      FROM orphaned o
     WHERE t.id = o.id
    RETURNING t.id, t.organization_id, t.job_id, t.kind, o.agent_id, t.attempts, t.status`.execute(db);
  return rows;
}

/** Deletes up to `limit` finished tasks completed more than `days` ago; returns how many went. */
export async function deleteOldTasksAcrossOrganizations(db: Kysely<Database>, days: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('tasks')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('tasks')
        .select('id')
        .where('status', 'in', ['succeeded', 'failed'])
        .where('completed_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
