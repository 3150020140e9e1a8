import { notFound, unauthorized, type OrganizationId, type TaskClaim } from '@planekeeper/domain';
import { claimPendingTasks, type ClaimedTaskRow } from '../db/agent-tasks.queries.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * An agent's claim: claims at once, or waits (holding no database connection) until a task
 * becomes pending in the organization, the wait runs out, the agent hangs up (`hungUp`) or the
 * api stops. Each look reads the agent and the caller's key afresh, in the claim's own statement:
 * a claim that waits hands out nothing once its key is revoked, its agent forgotten or drained.
 * @throws PlanekeeperError not_found when the agent is unknown (it must send a heartbeat first);
 * unauthorized when the key was revoked while the claim waited.
 */
export async function claimTasks(
  deps: Pick<ApiDeps, 'db' | 'config' | 'taskWaiters'>,
  caller: { organizationId: OrganizationId; keyId: string },
  claim: TaskClaim,
  hungUp: AbortSignal,
): Promise<ClaimedTaskRow[]> {
  const deadline = Date.now() + Math.min(claim.wait, deps.config.AGENT_MAX_WAIT_SECONDS) * 1000;
  for (let first = true; ; first = false) {
    if (hungUp.aborted) return [];
    const { organizationId, keyId } = caller;
    const { agentFound, keyActive, tasks } = await claimPendingTasks(deps.db, { organizationId, agentId: claim.agentId, keyId, max: claim.max, leaseSeconds: deps.config.AGENT_LEASE_SECONDS });
    if (!keyActive) throw unauthorized('the API key was revoked');
    if (!agentFound) {
      if (first) throw notFound('agent', claim.agentId, 'send a heartbeat first');
      return [];
    }
    if (tasks.length > 0) return tasks;
    const remaining = deadline - Date.now();
    if (remaining <= 0 || deps.taskWaiters.closed) return [];
    // Run out: no last look. The agent's next claim, sent at once, looks first thing, so a last
    // look would only double the statements of an idle fleet (2,000 agents: 80 a second).
    if ((await deps.taskWaiters.wait(caller.organizationId, remaining, hungUp)) === 'timeout') return [];
  }
}
