import { cancelPendingTasks, refreshPendingTask, type HelmSyncJobRow } from '@planekeeper/db';
import { notFound, type HelmSyncJobCreate, type HelmSyncJobUpdate } from '@planekeeper/domain';
import { deleteHelmSyncJob, findHelmSyncJob, insertHelmSyncJob, updateHelmSyncJob } from '../db/helm-sync-jobs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { DISABLED_REASON } from './edit-gather-job.ts';
import { nextRunAfterEdit } from './job-schedule.ts';

/** Creates a helm sync job (its gather jobs run on `gatherSchedule`, by default its own schedule); an enabled one is due at once. */
export async function createHelmSyncJob(deps: ApiDeps, organizationId: string, body: HelmSyncJobCreate): Promise<HelmSyncJobRow> {
  const enabled = body.enabled ?? true;
  const row = await insertHelmSyncJob(deps.db, organizationId, {
    name: body.name,
    repo_url: body.repoUrl,
    chart_filter: body.chartFilter ?? null,
    schedule: body.schedule,
    gather_schedule: body.gatherSchedule ?? body.schedule,
    credential_name: body.credentialName ?? null,
    enabled,
    next_run_at: nextRunAfterEdit({ before: null, after: { enabled, runnable: true, schedule: body.schedule }, workChanged: true, now: deps.clock() }),
  });
  deps.logger.info({ organizationId, helmSyncJobId: row.id }, 'helm sync job created');
  return row;
}

/**
 * Applies an update. A new repository, chart filter, credential or gather schedule runs the sync
 * at once, which brings the gather jobs it made up to date (source, schedule, credential).
 */
export async function editHelmSyncJob(deps: ApiDeps, organizationId: string, id: string, body: HelmSyncJobUpdate): Promise<HelmSyncJobRow> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findHelmSyncJob(trx, organizationId, id, { forUpdate: true });
    if (!current) throw notFound('helm sync job', id);
    const merged = {
      repo_url: body.repoUrl ?? current.repo_url,
      chart_filter: body.chartFilter === undefined ? current.chart_filter : body.chartFilter,
      credential_name: body.credentialName === undefined ? current.credential_name : body.credentialName,
      gather_schedule: body.gatherSchedule ?? current.gather_schedule,
      schedule: body.schedule ?? current.schedule,
      enabled: body.enabled ?? current.enabled,
    };
    const workChanged = (['repo_url', 'chart_filter', 'credential_name', 'gather_schedule'] as const).some((field) => merged[field] !== current[field]);
    const nextRun = nextRunAfterEdit({
      before: { enabled: current.enabled, runnable: true, schedule: current.schedule, nextRunAt: current.next_run_at },
      after: { enabled: merged.enabled, runnable: true, schedule: merged.schedule },
      workChanged,
      now: deps.clock(),
    });
    const updated = await updateHelmSyncJob(trx, organizationId, id, { ...(body.name !== undefined ? { name: body.name } : {}), ...merged, next_run_at: nextRun });
    if (!merged.enabled) await cancelPendingTasks(trx, organizationId, id, DISABLED_REASON);
    else if (workChanged) await refreshPendingTask(trx, organizationId, 'helm_sync', updated);
    deps.logger.info({ organizationId, helmSyncJobId: id, workChanged, enabled: merged.enabled, nextRunAt: nextRun }, 'helm sync job updated');
    return updated;
  });
}

/** Deletes a helm sync job; the gather jobs it made stay, as ordinary gather jobs. */
export async function removeHelmSyncJob(deps: ApiDeps, organizationId: string, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { deleted, detached } = await deleteHelmSyncJob(trx, organizationId, id);
    if (!deleted) throw notFound('helm sync job', id);
    deps.logger.info({ organizationId, helmSyncJobId: id, detachedGatherJobs: detached }, 'helm sync job deleted');
  });
}
