import { cancelPendingTasks, refreshPendingTask, type GatherJobRow } from '@planekeeper/db';
import { conflict, notFound, parseGatherSource, type GatherJobCreate, type GatherJobUpdate } from '@planekeeper/domain';
import { findAlertConfigUsing } from '../db/alert-configs.queries.ts';
import { deleteGatherJob, deleteReleases, findGatherJob, insertGatherJob, updateGatherJob } from '../db/gather-jobs.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { enqueueEvaluation } from './evaluations.ts';
import { nextRunAfterEdit, sameJson } from './job-schedule.ts';

/** Why a pending task is ended when its job is disabled. */
export const DISABLED_REASON = 'cancelled: the job was disabled before an agent claimed the task';

/** Creates a gather job; an enabled one is due at once (the taskengine makes its first task). */
export async function createGatherJob(deps: ApiDeps, organizationId: string, body: GatherJobCreate): Promise<GatherJobRow> {
  const enabled = body.enabled ?? true;
  const row = await insertGatherJob(deps.db, organizationId, {
    name: body.name,
    source_type: body.sourceType,
    source: JSON.stringify(body.source),
    schedule: body.schedule,
    tag_filter: body.tagFilter ?? null,
    credential_name: body.credentialName ?? null,
    enabled,
    next_run_at: nextRunAfterEdit({ before: null, after: { enabled, runnable: true, schedule: body.schedule }, workChanged: true, now: deps.clock() }),
  });
  deps.logger.info({ organizationId, gatherJobId: row.id, sourceType: row.source_type }, 'gather job created');
  return row;
}

/**
 * Applies an update. `source` without `sourceType` is checked against the stored type. A new
 * source forgets the releases of the old one and its ETag, and runs at once; so does a new tag
 * filter or credential. A pending task is brought up to date, or ended when the job is disabled.
 * A new tag filter changes what counts as latest: the configs using the job are re-evaluated.
 */
export async function editGatherJob(deps: ApiDeps, organizationId: string, id: string, body: GatherJobUpdate): Promise<GatherJobRow> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await findGatherJob(trx, organizationId, id, { forUpdate: true });
    if (!current) throw notFound('gather job', id);
    const sourceType = body.sourceType ?? current.source_type;
    const source = body.source === undefined ? current.source : body.sourceType ? body.source : parseGatherSource(current.source_type, body.source);
    const tagFilter = body.tagFilter === undefined ? current.tag_filter : body.tagFilter;
    const credentialName = body.credentialName === undefined ? current.credential_name : body.credentialName;
    const enabled = body.enabled ?? current.enabled;
    const schedule = body.schedule ?? current.schedule;
    const sourceChanged = sourceType !== current.source_type || !sameJson(source, current.source);
    const filterChanged = tagFilter !== current.tag_filter;
    const workChanged = sourceChanged || filterChanged || credentialName !== current.credential_name;
    const nextRun = nextRunAfterEdit({
      before: { enabled: current.enabled, runnable: true, schedule: current.schedule, nextRunAt: current.next_run_at },
      after: { enabled, runnable: true, schedule },
      workChanged,
      now: deps.clock(),
    });
    if (sourceChanged) await deleteReleases(trx, organizationId, id);
    const updated = await updateGatherJob(trx, organizationId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      source_type: sourceType,
      source: JSON.stringify(source),
      schedule,
      tag_filter: tagFilter,
      credential_name: credentialName,
      enabled,
      next_run_at: nextRun,
      // The ETag belongs to the answer the old settings got.
      ...(workChanged ? { etag: null } : {}),
    });
    if (!enabled) await cancelPendingTasks(trx, organizationId, id, DISABLED_REASON);
    else if (workChanged) await refreshPendingTask(trx, organizationId, 'gather', updated);
    if (filterChanged || sourceChanged) {
      await enqueueEvaluation(deps.boss, trx, { organizationId, reason: 'gather_job_changed', target: { gatherJobId: id } });
    }
    deps.logger.info({ organizationId, gatherJobId: id, sourceChanged, workChanged, enabled, nextRunAt: nextRun }, 'gather job updated');
    return updated;
  });
}

/** Deletes a gather job with its releases and tasks; 409 while an alert config uses it. */
export async function removeGatherJob(deps: ApiDeps, organizationId: string, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const current = await findGatherJob(trx, organizationId, id, { forUpdate: true });
    if (!current) throw notFound('gather job', id);
    const user = await findAlertConfigUsing(trx, organizationId, { gatherJobId: id });
    if (user) {
      throw conflict(`gather job ${id} is used by alert config ${user.id} ("${user.name}"): delete that config or point it at another job first`, [
        { path: 'id', message: `used by alert config ${user.id}` },
      ]);
    }
    await deleteGatherJob(trx, organizationId, id);
    deps.logger.info({ organizationId, gatherJobId: id }, 'gather job deleted');
  });
}
