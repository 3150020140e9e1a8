import type { AgentRow } from '@planekeeper/db';
import type { AgentResponse } from '@planekeeper/domain';

/** An agent as the API shows it: online while its last heartbeat is younger than `offlineAfterSeconds`. */
export function presentAgent(row: AgentRow, now: Date, offlineAfterSeconds: number): AgentResponse {
  return {
    id: row.id,
    name: row.name,
    hostname: row.hostname,
    version: row.version,
    capabilities: row.capabilities,
    credentials: row.credentials,
    maxConcurrentTasks: row.max_concurrent_tasks,
    lastHeartbeatAt: row.last_heartbeat_at.toISOString(),
    online: now.getTime() - row.last_heartbeat_at.getTime() < offlineAfterSeconds * 1000,
    draining: row.draining,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
