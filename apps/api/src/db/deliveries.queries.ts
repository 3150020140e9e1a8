import type { Database } from '@planekeeper/db';
import type { DeliveryListQuery, OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's deliveries, newest first, filtered by status, channel and alert event. */
export async function listDeliveries(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<DeliveryListQuery, 'status' | 'channelId' | 'alertEventId'>, page: PageRequest) {
  let q = db.selectFrom('deliveries').selectAll().select(createdAtKey('deliveries').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.channelId) q = q.where('channel_id', '=', filters.channelId);
  if (filters.alertEventId) q = q.where('alert_event_id', '=', filters.alertEventId);
  if (page.after) q = q.where(afterCreatedAt('deliveries', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findDelivery(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('deliveries').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** Every attempt of a delivery, oldest first. */
export async function listDeliveryAttempts(db: Kysely<Database>, organizationId: OrganizationId, deliveryId: string) {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}

/** A delivery's status with its channel's state, the delivery locked (a replay decides on it). */
export async function lockDeliveryWithChannel(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db
    .selectFrom('deliveries')
    .innerJoin('notification_channels as channel', 'channel.id', 'deliveries.channel_id')
    .select(['deliveries.status', 'channel.enabled as channel_enabled', 'channel.name as channel_name', 'channel.disabled_reason'])
    .where('deliveries.organization_id', '=', organizationId)
    .where('channel.organization_id', '=', organizationId)
    .where('deliveries.id', '=', id)
    .forUpdate('deliveries')
    .executeTakeFirst();
}

/** Puts a settled delivery back to pending with a fresh retry budget; its attempt history stays. */
export async function resetDeliveryForReplay(db: Kysely<Database>, organizationId: OrganizationId, id: string, replayedAt: Date): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: 'pending', budget_attempts: 0, replayed_at: replayedAt, delivered_at: null })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** A new `test` delivery to a channel; returns its id. */
export async function insertTestDelivery(db: Kysely<Database>, organizationId: OrganizationId, channelId: string): Promise<string> {
  const row = await db.insertInto('deliveries').values({ organization_id: organizationId, kind: 'test', channel_id: channelId }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
