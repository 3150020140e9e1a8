import type { AgentRow } from '@planekeeper/db';
import { agentLiveness, agentWarnings, duplicatesRecent, type AgentHealthSample, type AgentResponse } from '@planekeeper/domain';

/** The thresholds that turn heartbeat times into a status (the api's config). */
export interface AgentThresholds {
  staleAfterSeconds: number;
  offlineAfterSeconds: number;
}

/** Whether the agent's processes alternated lately: the window is the offline threshold. */
export function hasDuplicateInstances(row: Pick<AgentRow, 'duplicate_seen_at'>, now: Date, thresholds: AgentThresholds): boolean {
  return duplicatesRecent(row.duplicate_seen_at, now, thresholds.offlineAfterSeconds);
}

/** An agent as the API shows it: status from its last heartbeat, its latest health and warnings. */
export function presentAgent(row: AgentRow, now: Date, thresholds: AgentThresholds): AgentResponse {
  const status = agentLiveness(row.last_heartbeat_at, now, thresholds);
  const skewMs = row.clock_skew_ms === null ? null : Number(row.clock_skew_ms);
  const duplicateInstances = hasDuplicateInstances(row, now, thresholds);
  return {
    id: row.id,
    name: row.name,
    hostname: row.hostname,
    version: row.version,
    capabilities: row.capabilities,
    credentials: row.credentials,
    maxConcurrentTasks: row.max_concurrent_tasks,
    lastHeartbeatAt: row.last_heartbeat_at.toISOString(),
    online: status !== 'offline',
    status,
    draining: row.draining,
    instanceId: row.instance_id,
    duplicateInstances,
    clockSkewSeconds: skewMs === null ? null : skewMs / 1000,
    health: row.health && row.health_sampled_at ? { ...(row.health as AgentHealthSample), sampledAt: row.health_sampled_at.toISOString() } : null,
    warnings: agentWarnings({ clockSkewMs: skewMs, duplicateInstances }),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
