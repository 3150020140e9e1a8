import { notFound, type OrganizationId } from '@planekeeper/domain';
import { deleteAgent, releaseTasksOfAgent } from '../db/agents.queries.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * Forgets an agent. Tasks it still held go back to pending at once (their lease tokens cleared,
 * so a late report from it gets 409), in the same transaction. If it heartbeats again it
 * registers anew.
 */
export async function forgetAgent(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, agentId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await releaseTasksOfAgent(trx, organizationId, agentId);
    if (!(await deleteAgent(trx, organizationId, agentId))) throw notFound('agent', agentId);
  });
}
