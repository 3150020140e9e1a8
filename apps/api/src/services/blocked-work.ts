import { blockedReasonMessage, type OrganizationId } from '@planekeeper/domain';
import { findBlockedTasks } from '../db/blocked-work.queries.ts';
import type { ApiDeps } from '../deps.ts';

type Deps = Pick<ApiDeps, 'db' | 'config'>;

/**
 * Tasks as presented, with `blockedReason` set on the pending ones no online, non-draining agent
 * can take now. Computed when asked, from the agents as they are: it clears by itself when such
 * an agent appears, and there is nothing to keep in step.
 */
export async function withTaskBlockedReasons<T extends { id: string; status: string; blockedReason: string | null }>(deps: Deps, organizationId: OrganizationId, tasks: T[]): Promise<T[]> {
  const pending = tasks.filter((t) => t.status === 'pending').map((t) => t.id);
  const blocked = await findBlockedTasks(deps.db, organizationId, { taskIds: pending }, deps.config.AGENT_OFFLINE_AFTER_SECONDS);
  const reasons = new Map(blocked.map((row) => [row.id, blockedReasonMessage(row.reason, { kind: row.kind, credentialName: row.credential_name })]));
  return tasks.map((task) => ({ ...task, blockedReason: reasons.get(task.id) ?? null }));
}

/** Jobs as presented, with the `blockedReason` of their pending task, if nobody can take it. */
export async function withJobBlockedReasons<T extends { id: string; blockedReason: string | null }>(deps: Deps, organizationId: OrganizationId, jobs: T[]): Promise<T[]> {
  const blocked = await findBlockedTasks(deps.db, organizationId, { jobIds: jobs.map((j) => j.id) }, deps.config.AGENT_OFFLINE_AFTER_SECONDS);
  const reasons = new Map(blocked.map((row) => [row.job_id, blockedReasonMessage(row.reason, { kind: row.kind, credentialName: row.credential_name })]));
  return jobs.map((job) => ({ ...job, blockedReason: reasons.get(job.id) ?? null }));
}

/** One job or task, with its blocked reason. */
export async function withBlockedReason<T extends { id: string; blockedReason: string | null }>(
  annotate: (deps: Deps, organizationId: OrganizationId, items: T[]) => Promise<T[]>,
  deps: Deps,
  organizationId: OrganizationId,
  item: T,
): Promise<T> {
  return (await annotate(deps, organizationId, [item]))[0] as T;
}
