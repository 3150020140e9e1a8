import { conflict, notFound } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Database, DeliveryRow } from '../schema.ts';
import { scheduleDeliveryAttempt } from './delivery-jobs.ts';

/**
 * Sends a `failed` or `dead` delivery again: back to `pending` with a fresh retry budget (its
 * attempt history stays) and an attempt enqueued at once, in one transaction. It keeps its id, so
 * receivers see the same `webhook-id`.
 * @throws PlanekeeperError not_found (not the organization's delivery), conflict (the delivery is
 * pending or succeeded, or its channel is disabled).
 */
export async function replayDelivery(
  db: Kysely<Database>,
  boss: PgBoss,
  input: { organizationId: string; deliveryId: string },
): Promise<DeliveryRow> {
  const { organizationId, deliveryId } = input;
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('deliveries')
      .innerJoin('notification_channels as channel', 'channel.id', 'deliveries.channel_id')
      .select(['deliveries.status', 'channel.enabled as channel_enabled', 'channel.name as channel_name', 'channel.disabled_reason'])
      .where('deliveries.organization_id', '=', organizationId)
      .where('deliveries.id', '=', deliveryId)
      .forUpdate('deliveries')
      .executeTakeFirst();
    if (!current) throw notFound('delivery', deliveryId);
    if (current.status === 'pending' || current.status === 'succeeded') {
      throw conflict(`delivery ${deliveryId} is ${current.status}; only a failed or dead delivery can be replayed`);
    }
    if (!current.channel_enabled) {
      const why = current.disabled_reason ? ` (${current.disabled_reason})` : '';
      throw conflict(`channel "${current.channel_name}" is disabled${why}; enable it before replaying`);
    }
    await trx
      .updateTable('deliveries')
      .set({ status: 'pending', budget_attempts: 0, replayed_at: new Date(), delivered_at: null })
      .where('organization_id', '=', organizationId)
      .where('id', '=', deliveryId)
      .execute();
    await scheduleDeliveryAttempt(trx, boss, { organizationId, deliveryId });
    return trx.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
  });
}
