import type { TaskRow } from '@planekeeper/db';
import type { TaskResponse } from '@planekeeper/domain';
import type { ClaimedTaskRow } from '../../db/agent-tasks.queries.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * A task as the automation API shows it: never its lease token (that belongs to the agent holding
 * it). `blockedReason` is filled in by services/blocked-work.ts where the route reads it.
 */
export function presentTask(row: TaskRow): TaskResponse {
  return {
    id: row.id,
    kind: row.kind,
    jobId: row.job_id,
    status: row.status,
    credentialName: row.credential_name,
    scheduledAt: row.scheduled_at.toISOString(),
    claimedBy: row.claimed_by,
    claimedAt: iso(row.claimed_at),
    leaseExpiresAt: iso(row.lease_expires_at),
    attempts: row.attempts,
    error: row.error,
    completedAt: iso(row.completed_at),
    blockedReason: null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A claimed task as the agent receives it: with its lease token and what to run. */
export function presentClaim(row: ClaimedTaskRow) {
  return {
    id: row.id,
    kind: row.kind,
    jobId: row.job_id,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at.toISOString(),
    credentialName: row.credential_name,
    spec: row.spec,
  };
}
