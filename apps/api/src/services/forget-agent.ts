import { notFound, type OrganizationId } from '@planekeeper/domain';
import { revokeKeysOfAgent } from '../db/agent-enrollment-tokens.queries.ts';
import { deleteAgent, releaseTasksOfAgent } from '../db/agents.queries.ts';
import type { ApiDeps } from '../deps.ts';

/**
 * Forgets an agent. Tasks it still held go back to pending at once (their lease tokens cleared,
 * so a late report from it gets 409), in the same transaction, and the key it enrolled with is
 * revoked: a forgotten enrolled agent is locked out. An agent on a shared key made by hand
 * registers anew if it heartbeats again.
 */
export async function forgetAgent(deps: Pick<ApiDeps, 'db' | 'apiKeys'>, organizationId: OrganizationId, agentId: string): Promise<void> {
  const revoked = await deps.db.transaction().execute(async (trx) => {
    await releaseTasksOfAgent(trx, organizationId, agentId);
    const keys = await revokeKeysOfAgent(trx, organizationId, agentId);
    if (!(await deleteAgent(trx, organizationId, agentId))) throw notFound('agent', agentId);
    return keys;
  });
  // Here at once; other processes when the api_keys trigger's notification reaches them.
  for (const keyId of revoked) deps.apiKeys.evict(keyId);
}
