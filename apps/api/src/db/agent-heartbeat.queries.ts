import type { Database } from '@planekeeper/db';
import type { AgentHeartbeat, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';

/** What a heartbeat writes besides the instance ids. */
export interface HeartbeatFields {
  heartbeat: AgentHeartbeat;
  clockSkewMs: number | null;
}

const described = ({ heartbeat, clockSkewMs }: HeartbeatFields) => ({
  hostname: heartbeat.hostname,
  version: heartbeat.version,
  capabilities: heartbeat.capabilities,
  credentials: heartbeat.credentials,
  max_concurrent_tasks: heartbeat.maxConcurrentTasks,
  clock_skew_ms: clockSkewMs,
  health: heartbeat.health ? JSON.stringify(heartbeat.health) : null,
  health_sampled_at: heartbeat.health ? sql<Date>`now()` : null,
  last_heartbeat_at: sql<Date>`now()`,
  updated_at: sql<Date>`now()`,
});

/** The agent's row after a heartbeat: its id and whether duplicates were seen, and when. */
export interface BeatenAgent {
  id: string;
  duplicate_seen_at: Date | null;
}

/**
 * The common heartbeat in one statement: the agent exists and the beat comes from the instance
 * that beat last (or carries no instance id, as older agents send). Undefined otherwise: the
 * caller then takes the locked path ({@link lockAgentByName}).
 */
export async function refreshSameInstance(db: Kysely<Database>, organizationId: OrganizationId, fields: HeartbeatFields): Promise<BeatenAgent | undefined> {
  const instanceId = fields.heartbeat.instanceId ?? null;
  return db
    .updateTable('agents')
    .set(described(fields))
    .where('organization_id', '=', organizationId)
    .where('name', '=', fields.heartbeat.name)
    .where((eb) => (instanceId === null ? eb.lit(true) : eb('instance_id', '=', instanceId)))
    .returning(['id', 'duplicate_seen_at'])
    .executeTakeFirst();
}

/** Registers the agent when the organization has none of that name; undefined when it has. */
export async function insertAgentIfNew(db: Kysely<Database>, organizationId: OrganizationId, fields: HeartbeatFields): Promise<string | undefined> {
  const row = await db
    .insertInto('agents')
    .values({ organization_id: organizationId, name: fields.heartbeat.name, instance_id: fields.heartbeat.instanceId ?? null, ...described(fields) })
    .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The agent of that name, locked until the transaction ends (two beats of one name queue here). */
export async function lockAgentByName(trx: Transaction<Database>, organizationId: OrganizationId, name: string) {
  return trx
    .selectFrom('agents')
    .select(['id', 'instance_id', 'previous_instance_id', 'duplicate_seen_at'])
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .forUpdate()
    .executeTakeFirst();
}

/** Writes a heartbeat from another instance than the last: the instance ids move along. */
export async function refreshNewInstance(
  trx: Transaction<Database>,
  organizationId: OrganizationId,
  agentId: string,
  fields: HeartbeatFields & { instanceId: string; previousInstanceId: string | null; duplicateSeenAt: Date | null },
): Promise<void> {
  await trx
    .updateTable('agents')
    .set({ ...described(fields), instance_id: fields.instanceId, previous_instance_id: fields.previousInstanceId, duplicate_seen_at: fields.duplicateSeenAt })
    .where('organization_id', '=', organizationId)
    .where('id', '=', agentId)
    .execute();
}

/** The name and allowed capabilities of the agent an enrolled key belongs to. */
export async function findEnrolledAgent(db: Kysely<Database>, organizationId: OrganizationId, agentId: string) {
  return db
    .selectFrom('agents')
    .select(['name', 'enrolled_capabilities'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', agentId)
    .executeTakeFirst();
}
