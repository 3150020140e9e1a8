import type { OrganizationId } from '@planekeeper/domain';
import type { AlertEventRow, Database } from '@planekeeper/db';
import { sql, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

/** An alert event of the organization, or undefined (deleted with its alert, or not theirs). */
export async function findAlertEvent(db: Db, organizationId: OrganizationId, alertEventId: string): Promise<AlertEventRow | undefined> {
  return db.selectFrom('alert_events').selectAll().where('organization_id', '=', organizationId).where('id', '=', alertEventId).executeTakeFirst();
}

/**
 * The enabled channels of the organization that an enabled notification rule sends this event
 * to: the rule lists the event's type and severity. A channel named by several rules comes once.
 */
export async function channelsMatchingEvent(db: Db, organizationId: OrganizationId, event: Pick<AlertEventRow, 'type' | 'severity'>): Promise<string[]> {
  const rows = await db
    .selectFrom('notification_rules as rule')
    .innerJoin('notification_channels as channel', 'channel.id', 'rule.channel_id')
    .select('channel.id')
    .distinct()
    .where('rule.organization_id', '=', organizationId)
    .where('channel.organization_id', '=', organizationId)
    .where('rule.enabled', '=', true)
    .where('channel.enabled', '=', true)
    .where(sql<boolean>`${event.type} = ANY(rule.events)`)
    .where(sql<boolean>`${event.severity} = ANY(rule.severities)`)
    .orderBy('channel.id')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Creates the deliveries of an event to these channels, skipping the pairs that exist already
 * (a redelivered event), and returns the ids of the ones created now.
 */
export async function insertEventDeliveries(trx: Transaction<Database>, organizationId: OrganizationId, alertEventId: string, channelIds: readonly string[]): Promise<string[]> {
  if (channelIds.length === 0) return [];
  const rows = await trx
    .insertInto('deliveries')
    .values(channelIds.map((channelId) => ({ organization_id: organizationId, kind: 'event' as const, alert_event_id: alertEventId, channel_id: channelId })))
    .onConflict((oc) => oc.columns(['alert_event_id', 'channel_id']).doNothing())
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
