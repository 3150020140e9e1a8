import { notFound, type OrganizationId, type TaskClaim } from '@planekeeper/domain';
import { claimPendingTasks, type ClaimedTaskRow } from '../db/agent-tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * An agent's claim: claims at once, or waits (holding no database connection) until a task
 * becomes pending in the organization, the wait runs out, or the agent hangs up (`hungUp`).
 * @throws PlanekeeperError not_found when the agent is unknown (it must send a heartbeat first).
 */
export async function claimTasks(
  deps: Pick<ApiDeps, 'db' | 'config' | 'taskWaiters'>,
  organizationId: OrganizationId,
  claim: TaskClaim,
  hungUp: AbortSignal,
): Promise<ClaimedTaskRow[]> {
  const deadline = Date.now() + Math.min(claim.wait, deps.config.AGENT_MAX_WAIT_SECONDS) * 1000;
  // Each look reads the agent afresh: a drain or uncordon while waiting takes effect at the next.
  for (let first = true; ; first = false) {
    if (hungUp.aborted) return [];
    const { agentFound, tasks } = await claimPendingTasks(deps.db, { organizationId, agentId: claim.agentId, max: claim.max, leaseSeconds: deps.config.AGENT_LEASE_SECONDS });
    if (!agentFound) {
      if (first) throw notFound('agent', claim.agentId, 'send a heartbeat first');
      return [];
    }
    if (tasks.length > 0) return tasks;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return [];
    await deps.taskWaiters.wait(organizationId, remaining, hungUp);
  }
}
