import {
  agentWarnings,
  classifyInstance,
  clockSkewMs,
  conflict,
  duplicatesRecent,
  forbidden,
  MAX_AGENT_CLOCK_DISTANCE_MS,
  validationFailed,
  type AgentHeartbeat,
  type OrganizationId,
} from '@planekeeper/domain';
import { findEnrolledAgent, insertAgentIfNew, lockAgentByName, refreshNewInstance, refreshSameInstance } from '../db/agent-heartbeat.queries.ts';
import { releaseTasksOfAgent } from '../db/agents.queries.ts';
import type { ApiDeps } from '../deps.ts';

/** What the api tells the agent back about itself. */
export interface HeartbeatOutcome {
  agentId: string;
  clockSkewMs: number | null;
  warnings: string[];
}

/**
 * Records a heartbeat: registers or refreshes the agent, with its health sample and its clock skew
 * (measured against `receivedAt`, see clockSkewMs). A clock more than a day from the server's is
 * refused with 400 on `clock` rather than stored. A new instance id is a restart: the tasks the
 * agent held go back to pending now instead of when their leases end. Alternating instance ids
 * are two processes under one name: flagged, and nothing is released. A key enrolled for an agent
 * (`enrolledAgentId`) reports as that agent only, with at most the capabilities its token allowed.
 */
export async function recordHeartbeat(
  deps: Pick<ApiDeps, 'db' | 'config' | 'logger' | 'clock'>,
  organizationId: OrganizationId,
  declared: AgentHeartbeat,
  receivedAt: Date,
  enrolledAgentId?: string | null,
): Promise<HeartbeatOutcome> {
  let heartbeat = declared;
  if (enrolledAgentId) {
    const enrolled = await findEnrolledAgent(deps.db, organizationId, enrolledAgentId);
    if (!enrolled) throw forbidden('the agent this key was enrolled for was forgotten: enroll the agent again');
    if (enrolled.name !== heartbeat.name) throw forbidden(`this key was enrolled for agent "${enrolled.name}" and reports as that agent only, not as "${heartbeat.name}"`);
    const allowed = enrolled.enrolled_capabilities;
    if (allowed) heartbeat = { ...heartbeat, capabilities: heartbeat.capabilities.filter((kind) => allowed.includes(kind)) };
  }
  let skew: number | null = null;
  if (heartbeat.clock !== undefined) {
    if (Math.abs(heartbeat.clock - receivedAt.getTime()) > MAX_AGENT_CLOCK_DISTANCE_MS) {
      throw validationFailed(
        [{ path: 'clock', message: `the agent's clock (${new Date(heartbeat.clock).toISOString()}) is more than 24 h from the server's (${receivedAt.toISOString()}): fix the clock of the agent's host` }],
      );
    }
    skew = clockSkewMs({ agentClockMs: heartbeat.clock, roundTripMs: heartbeat.roundTripMs, receivedAtMs: receivedAt.getTime() });
  }
  const fields = { heartbeat, clockSkewMs: skew };
  const now = deps.clock();
  const window = deps.config.AGENT_OFFLINE_AFTER_SECONDS;
  const answer = (agentId: string, duplicateSeenAt: Date | null): HeartbeatOutcome => {
    const duplicateInstances = duplicatesRecent(duplicateSeenAt, now, window);
    return { agentId, clockSkewMs: skew, warnings: agentWarnings({ clockSkewMs: skew, duplicateInstances }) };
  };

  const same = await refreshSameInstance(deps.db, organizationId, fields);
  if (same) return answer(same.id, same.duplicate_seen_at);
  const created = await insertAgentIfNew(deps.db, organizationId, fields);
  if (created) return answer(created, null);

  const instanceId = heartbeat.instanceId as string; // refreshSameInstance takes every beat without one
  const log = deps.logger.child({ organizationId, agent: heartbeat.name, instanceId });
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockAgentByName(trx, organizationId, heartbeat.name);
    // Forgotten between the two statements (409): the next beat registers it again.
    if (!row) throw conflict('the agent was forgotten as it beat; send the heartbeat again');
    const change = classifyInstance({ instanceId, current: row.instance_id, previous: row.previous_instance_id, duplicateSeenAt: row.duplicate_seen_at, now, duplicateWindowSeconds: window });
    let duplicateSeenAt = row.duplicate_seen_at;
    if (change.kind === 'restarted') {
      const released = await releaseTasksOfAgent(trx, organizationId, row.id);
      log.info({ agentId: row.id, previousInstanceId: row.instance_id, releasedTasks: released }, 'agent restarted: the tasks its previous instance held are pending again');
    } else if (change.kind === 'duplicate') {
      if (!duplicatesRecent(row.duplicate_seen_at, now, window)) {
        log.warn(
          { agentId: row.id, otherInstanceId: row.instance_id },
          `duplicate_instances: two running processes share the agent name "${heartbeat.name}" (their instance ids alternate); no task is released between them; give each its own AGENT_NAME`,
        );
      }
      duplicateSeenAt = now;
    }
    await refreshNewInstance(trx, organizationId, row.id, { ...fields, instanceId, previousInstanceId: row.instance_id, duplicateSeenAt });
    return answer(row.id, duplicateSeenAt);
  });
}
