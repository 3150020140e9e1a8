import type { AgentRow, Database } from '@planekeeper/db';
import type { AgentListQuery, AgentResponse } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

/** An agent is online while its last heartbeat is younger than `offlineAfterSeconds`. */
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

export async function listAgents(db: Kysely<Database>, organizationId: string, query: AgentListQuery) {
  let q = db.selectFrom('agents').selectAll().select(cursorColumn('agents').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.cursor) q = q.where(afterCursor('agents', query.cursor));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
}

export async function findAgent(db: Kysely<Database>, organizationId: string, id: string) {
  return db.selectFrom('agents').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function setDraining(db: Kysely<Database>, organizationId: string, id: string, draining: boolean) {
  return db
    .updateTable('agents')
    .set({ draining, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Forgets an agent. Tasks it still held go back to pending at once (their lease tokens cleared,
 * so a late report from it gets 409). If it heartbeats again it registers anew.
 */
export async function deleteAgent(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('tasks')
      .set({ status: 'pending', claimed_by: null, claimed_at: null, lease_token: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
      .where('organization_id', '=', organizationId)
      .where('claimed_by', '=', id)
      .where('status', '=', 'claimed')
      .execute();
    const deleted = await trx.deleteFrom('agents').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
    return deleted.numDeletedRows > 0n;
  });
}

export { toPage };
