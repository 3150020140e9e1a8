import type { Database, JobRowByKind } from '@planekeeper/db';
import { notFound, type OrganizationId, type TaskKind } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { deleteJob, findJob, insertJob, updateJob } from '../db/jobs.queries.ts';
import { cancelPendingTasks, refreshPendingTask } from '../db/tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';
import type { JobKind } from './job-kinds.ts';
import { nextRunAfterEdit } from './job-schedule.ts';

type JobDeps = Pick<ApiDeps, 'db' | 'boss' | 'logger' | 'clock'>;
// The body types do not matter to what is done here once for every kind.
type AnyJobKind<K extends TaskKind> = JobKind<K, never, never>;

/** Why a pending task is ended when its job is disabled. */
const DISABLED_REASON = 'cancelled: the job was disabled before an agent claimed the task';

/** A job of the organization (locked with `forUpdate`), or 404 naming its kind. */
export async function jobOr404<K extends TaskKind>(db: Kysely<Database>, organizationId: OrganizationId, kind: AnyJobKind<K>, id: string, options: { forUpdate?: boolean } = {}): Promise<JobRowByKind[K]> {
  const job = await findJob(db, organizationId, kind.kind, id, options);
  if (!job) throw notFound(kind.name, id);
  return job;
}

/** Whether a job has anything for an agent to run (a manual scrape job has not). */
function isRunnable<K extends TaskKind>(kind: AnyJobKind<K>, job: JobRowByKind[K]): boolean {
  return !kind.idle?.is(job);
}

/** Creates a job; an enabled one with something to run is due at once (the taskengine makes its first task). */
export async function createJob<K extends TaskKind, C, U>(deps: JobDeps, organizationId: OrganizationId, kind: JobKind<K, C, U>, body: C): Promise<JobRowByKind[K]> {
  const { values, schedule, log } = kind.create(body);
  const nextRun = nextRunAfterEdit({ before: null, after: schedule, workChanged: true, now: deps.clock() });
  const row = await insertJob(deps.db, organizationId, kind.kind, values, nextRun);
  deps.logger.info({ organizationId, [kind.logKey]: row.id, ...log }, `${kind.name} created`);
  return row;
}

/**
 * Applies an update, in one transaction: the job is locked and merged with the update by its
 * kind; its next run follows nextRunAfterEdit (re-enabled, made runnable or changed in what it
 * runs: at once; a new schedule: counted from now). A pending task is brought up to date, or
 * ended when the job is disabled or has nothing left to run; a claimed one finishes as it was.
 */
export async function editJob<K extends TaskKind, C, U>(deps: JobDeps, organizationId: OrganizationId, kind: JobKind<K, C, U>, id: string, body: U): Promise<JobRowByKind[K]> {
  return deps.db.transaction().execute(async (trx) => {
    const current = await jobOr404(trx, organizationId, kind, id, { forUpdate: true });
    const { changes, after, workChanged } = kind.merge(current, body);
    const nextRun = nextRunAfterEdit({
      before: { enabled: current.enabled, runnable: isRunnable(kind, current), schedule: current.schedule, nextRunAt: current.next_run_at },
      after,
      workChanged,
      now: deps.clock(),
    });
    const updated = await updateJob(trx, organizationId, kind.kind, id, changes, nextRun);
    if (!after.enabled) await cancelPendingTasks(trx, organizationId, id, DISABLED_REASON);
    else if (!after.runnable) await cancelPendingTasks(trx, organizationId, id, kind.idle?.cancelReason ?? DISABLED_REASON);
    else if (workChanged) await refreshPendingTask(trx, organizationId, kind.kind, updated);
    const more = (await kind.afterEdit?.({ trx, deps, organizationId, before: current, after: updated })) ?? {};
    deps.logger.info({ organizationId, [kind.logKey]: id, workChanged, enabled: after.enabled, nextRunAt: nextRun, ...more }, `${kind.name} updated`);
    return updated;
  });
}

/** Deletes a job with what cascades from it, once its kind allows (409 while an alert config uses it, ...). */
export async function removeJob<K extends TaskKind, C, U>(deps: JobDeps, organizationId: OrganizationId, kind: JobKind<K, C, U>, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await jobOr404(trx, organizationId, kind, id, { forUpdate: true });
    const more = await kind.beforeRemove(trx, organizationId, id);
    await deleteJob(trx, organizationId, kind.kind, id);
    deps.logger.info({ organizationId, [kind.logKey]: id, ...more }, `${kind.name} deleted`);
  });
}
