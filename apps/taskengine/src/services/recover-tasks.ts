import { deleteOldTasksAcrossOrganizations, recoverClaimedTasksAcrossOrganizations, type RecoveryReason } from '../db/recovery.queries.ts';
import type { TaskengineDeps } from '../deps.ts';

// Checked in this order, so a task is counted under the first reason that applies to it.
const REASONS: readonly RecoveryReason[] = ['agent_offline', 'lease_expired', 'stale'];

const MESSAGES = {
  requeued: 'task recovered: back to pending',
  failed: 'task recovered: failed after too many attempts',
  cancelled: 'task recovered: cancelled, its job is disabled',
} as const;

/** Finished tasks deleted per statement by the retention sweep. */
const RETENTION_BATCH = 5000;

/**
 * One recovery check: claimed tasks whose agent stopped heart-beating, whose lease ran out, or
 * that were claimed too long ago go back to pending (or fail after too many attempts, or are
 * cancelled when their job was disabled meanwhile). Each is
 * logged with its ids and counted by reason. Then finished tasks past retention are deleted.
 */
export async function recoverTasks(deps: TaskengineDeps): Promise<Record<RecoveryReason, number>> {
  const { config, logger, metrics } = deps;
  const limits = {
    offlineAfterSeconds: config.AGENT_OFFLINE_AFTER_SECONDS,
    staleSeconds: config.TASKENGINE_STALE_TASK_SECONDS,
    maxAttempts: config.TASKENGINE_TASK_MAX_ATTEMPTS,
  };
  const counts = { agent_offline: 0, lease_expired: 0, stale: 0 };
  for (const reason of REASONS) {
    const recovered = await recoverClaimedTasksAcrossOrganizations(deps.db, reason, limits);
    counts[reason] = recovered.length;
    for (const task of recovered) {
      const outcome = task.cancelled ? 'cancelled' : task.status === 'pending' ? 'requeued' : 'failed';
      metrics.recoveries.inc({ reason, outcome });
      logger.warn(
        { organizationId: task.organization_id, taskId: task.id, jobId: task.job_id, kind: task.kind, agentId: task.agent_id, reason, attempts: task.attempts, outcome },
        MESSAGES[outcome],
      );
    }
  }
  if (config.TASKENGINE_TASK_RETENTION_DAYS > 0) {
    let deleted = 0;
    for (;;) {
      const batch = await deleteOldTasksAcrossOrganizations(deps.db, config.TASKENGINE_TASK_RETENTION_DAYS, RETENTION_BATCH);
      deleted += batch;
      if (batch < RETENTION_BATCH) break;
    }
    if (deleted > 0) logger.info({ deleted, retentionDays: config.TASKENGINE_TASK_RETENTION_DAYS }, 'old finished tasks deleted');
  }
  return counts;
}
