import type { Database } from '@planekeeper/db';
import type { DeliveryListQuery } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** A page of the organization's deliveries, newest first, filtered by status, channel and alert event. */
export async function listDeliveries(db: Kysely<Database>, organizationId: string, filters: Pick<DeliveryListQuery, 'status' | 'channelId' | 'alertEventId'>, page: PageRequest) {
  let q = db.selectFrom('deliveries').selectAll().select(createdAtKey('deliveries').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.channelId) q = q.where('channel_id', '=', filters.channelId);
  if (filters.alertEventId) q = q.where('alert_event_id', '=', filters.alertEventId);
  if (page.after) q = q.where(afterCreatedAt('deliveries', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findDelivery(db: Kysely<Database>, organizationId: string, id: string) {
  return db.selectFrom('deliveries').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** Every attempt of a delivery, oldest first. */
export async function listDeliveryAttempts(db: Kysely<Database>, organizationId: string, deliveryId: string) {
  return db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}
