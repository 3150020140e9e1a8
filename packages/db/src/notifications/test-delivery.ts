import { conflict, notFound } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Database, DeliveryRow } from '../schema.ts';
import { scheduleDeliveryAttempt } from './delivery-jobs.ts';

/**
 * Creates a `test` delivery to a channel and enqueues its attempt, in one transaction: the
 * notifier then sends a clearly labelled test message through the same path as real ones.
 * @throws PlanekeeperError not_found (not the organization's channel), conflict (the channel is disabled).
 */
export async function createTestDelivery(
  db: Kysely<Database>,
  boss: PgBoss,
  input: { organizationId: string; channelId: string },
): Promise<DeliveryRow> {
  const { organizationId, channelId } = input;
  return db.transaction().execute(async (trx) => {
    const channel = await trx
      .selectFrom('notification_channels')
      .select(['id', 'name', 'enabled', 'disabled_reason'])
      .where('organization_id', '=', organizationId)
      .where('id', '=', channelId)
      .forShare()
      .executeTakeFirst();
    if (!channel) throw notFound('notification channel', channelId);
    if (!channel.enabled) {
      const why = channel.disabled_reason ? ` (${channel.disabled_reason})` : '';
      throw conflict(`channel "${channel.name}" is disabled${why}; enable it before testing it`);
    }
    const { id } = await trx
      .insertInto('deliveries')
      .values({ organization_id: organizationId, kind: 'test', channel_id: channelId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await scheduleDeliveryAttempt(trx, boss, { organizationId, deliveryId: id });
    return trx.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  });
}
