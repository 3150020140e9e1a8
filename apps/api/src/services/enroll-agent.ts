import { hashApiKey, type AgentEnrollmentTokenRow, type TaskKind } from '@planekeeper/db';
import { conflict, ENROLLMENT_TOKEN_PREFIX, forbidden, TASK_KIND_VALUES, unauthorized, type AgentEnroll, type OrganizationId } from '@planekeeper/domain';
import { findEnrollmentTokenByHashAcrossOrganizations, insertEnrolledAgent, takeEnrollmentTokenUse } from '../db/agent-enrollment-tokens.queries.ts';
import type { ApiDeps } from '../deps.ts';
import { createApiKey } from './api-keys.ts';

/** An agent just enrolled: its identity and its own key, shown in this one answer. */
export interface EnrolledAgent {
  organizationId: OrganizationId;
  agentId: string;
  name: string;
  key: string;
  keyId: string;
  tokenId: string;
  capabilities: TaskKind[] | null;
}

/** Why a token that took no use was refused: one clear line, which never quotes the token. */
function refusal(row: AgentEnrollmentTokenRow | undefined, now: Date) {
  if (!row) return unauthorized('the enrollment token is not valid (unknown token)');
  if (row.revoked_at) return forbidden(`the enrollment token "${row.name}" has been revoked`);
  if (row.expires_at.getTime() <= now.getTime()) return forbidden(`the enrollment token "${row.name}" expired at ${row.expires_at.toISOString()}`);
  return forbidden(`the enrollment token "${row.name}" has been used up (${row.max_uses} of ${row.max_uses} uses)`);
}

/**
 * Enrolls an agent with a token: takes one use of the token, registers the agent under `name` in
 * the token's organization and makes it an agent key of its own, all in one transaction, so a
 * refusal (bad token, a name in use) creates nothing and counts no use.
 */
export async function enrollAgent(deps: Pick<ApiDeps, 'db' | 'clock'>, token: string | null, input: Omit<AgentEnroll, 'token'>): Promise<EnrolledAgent> {
  if (!token || !token.startsWith(ENROLLMENT_TOKEN_PREFIX) || token.length > 200) {
    throw unauthorized(`an enrollment token is required (${ENROLLMENT_TOKEN_PREFIX}..., in the body's token or as Authorization: Bearer)`);
  }
  const tokenHash = hashApiKey(token);
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const taken = await takeEnrollmentTokenUse(trx, tokenHash, now);
    if (!taken) throw refusal(await findEnrollmentTokenByHashAcrossOrganizations(trx, tokenHash), now);
    const organizationId = taken.organization_id;
    const capabilities = taken.capabilities ?? [...TASK_KIND_VALUES];
    const agent = await insertEnrolledAgent(trx, organizationId, { name: input.name, hostname: input.hostname ?? input.name, version: input.version ?? 'unknown', capabilities });
    if (!agent) {
      throw conflict(`an agent named "${input.name}" already exists in this organization: forget it first (DELETE /api/v1/agents/:id), or give this agent another AGENT_NAME`);
    }
    const key = await createApiKey(trx, organizationId, { name: `agent ${input.name} (enrolled)`, role: 'agent', agentId: agent.id });
    return { organizationId, agentId: agent.id, name: agent.name, key: key.key, keyId: key.row.id, tokenId: taken.id, capabilities: taken.capabilities };
  });
}
