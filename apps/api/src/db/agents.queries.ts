import { containsPattern } from './name-search.ts';
import type { OrganizationId } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's agents, newest first. */
export async function listAgents(db: Kysely<Database>, organizationId: OrganizationId, page: PageRequest, filters: { q?: string | undefined } = {}) {
  let q = db.selectFrom('agents').selectAll().select(createdAtKey('agents').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('agents', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findAgent(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('agents').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function setDraining(db: Kysely<Database>, organizationId: OrganizationId, id: string, draining: boolean) {
  return db
    .updateTable('agents')
    .set({ draining, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Puts the tasks an agent holds back to pending, their lease tokens cleared (a late report gets 409); how many. */
export async function releaseTasksOfAgent(db: Kysely<Database>, organizationId: OrganizationId, agentId: string): Promise<number> {
  const released = await db
    .updateTable('tasks')
    .set({ status: 'pending', claimed_by: null, claimed_at: null, lease_token: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('claimed_by', '=', agentId)
    .where('status', '=', 'claimed')
    .executeTakeFirst();
  return Number(released.numUpdatedRows);
}

/** Deletes an agent; false when it is not the organization's. */
export async function deleteAgent(db: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<boolean> {
  const deleted = await db.deleteFrom('agents').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/** Agents of every organization with a heartbeat within `offlineAfterSeconds` (an installation-wide gauge). */
export async function countAgentsOnlineAcrossOrganizations(db: Kysely<Database>, offlineAfterSeconds: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM agents WHERE last_heartbeat_at > now() - make_interval(secs => ${offlineAfterSeconds})`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
