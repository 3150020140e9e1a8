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
  /** Failed because its job is disabled: not re-queued, whatever its attempts. */
  cancelled: boolean;
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
 * been claimed `maxAttempts` times, or cancelled (failed, saying so) when its job was disabled
 * meanwhile: a disabled job runs no more. Rows a report is locking right now are skipped: the report
 * decides them, and the next check sees what it left.
 */
export async function recoverClaimedTasksAcrossOrganizations(db: Kysely<Database>, reason: RecoveryReason, limits: RecoveryLimits): Promise<RecoveredTask[]> {
  const note = reason.replace('_', ' ');
  const { rows } = await sql<RecoveredTask>`
    WITH orphaned AS (
      SELECT t.id, t.claimed_by AS agent_id,
             -- Job ids are unique across the job tables: at most one of these joins finds the job.
             NOT COALESCE(g.enabled, s.enabled, h.enabled, true) AS job_disabled
        FROM tasks t
        LEFT JOIN agents a ON a.id = t.claimed_by
        LEFT JOIN gather_jobs g ON g.id = t.job_id
        LEFT JOIN scrape_jobs s ON s.id = t.job_id
        LEFT JOIN helm_sync_jobs h ON h.id = t.job_id
       WHERE t.status = 'claimed' AND ${condition(reason, limits)}
       FOR UPDATE OF t SKIP LOCKED
    )
    UPDATE tasks t
       SET status = CASE WHEN o.job_disabled OR t.attempts >= ${limits.maxAttempts} THEN 'failed' ELSE 'pending' END,
           error = CASE WHEN o.job_disabled THEN 'cancelled: the job was disabled; recovered: ' || ${note}
                        WHEN t.attempts >= ${limits.maxAttempts}
                        THEN 'gave up after ' || t.attempts || ' attempts; the last ended by recovery: ' || ${note}
                        ELSE 'recovered: ' || ${note} END,
           completed_at = CASE WHEN o.job_disabled OR t.attempts >= ${limits.maxAttempts} THEN now() END,
           claimed_by = NULL, claimed_at = NULL, lease_token = NULL, lease_expires_at = NULL,
           updated_at = now()
      FROM orphaned o
     WHERE t.id = o.id
    RETURNING t.id, t.organization_id, t.job_id, t.kind, o.agent_id, t.attempts, t.status, o.job_disabled AS cancelled`.execute(db);
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
