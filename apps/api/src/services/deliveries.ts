import { scheduleDeliveryAttempt, type DeliveryRow } from '@planekeeper/db';
import { conflict, notFound, type OrganizationId } from '@planekeeper/domain';
import { findDelivery, insertTestDelivery, lockDeliveryWithChannel, resetDeliveryForReplay } from '../db/deliveries.queries.ts';
import { findChannel } from '../db/notification-channels.queries.ts';
import type { ApiDeps } from '../deps.ts';

type DeliveryDeps = Pick<ApiDeps, 'db' | 'boss' | 'logger' | 'clock'>;

/** `channel "x" is disabled (why)`: what a replay or a test of a disabled channel is told. */
function channelDisabled(channel: { name: string; disabledReason: string | null }, todo: string) {
  const why = channel.disabledReason ? ` (${channel.disabledReason})` : '';
  return conflict(`channel "${channel.name}" is disabled${why}; enable it before ${todo}`);
}

/**
 * Sends a `failed` or `dead` delivery again: back to `pending` with a fresh retry budget (its
 * attempt history stays) and an attempt enqueued at once, in one transaction. It keeps its id, so
 * receivers see the same `webhook-id`.
 * @throws PlanekeeperError not_found (not the organization's delivery), conflict (the delivery is
 * pending or succeeded, or its channel is disabled).
 */
export async function replayDelivery(deps: DeliveryDeps, organizationId: OrganizationId, deliveryId: string, by: string): Promise<DeliveryRow> {
  const delivery = await deps.db.transaction().execute(async (trx) => {
    const current = await lockDeliveryWithChannel(trx, organizationId, deliveryId);
    if (!current) throw notFound('delivery', deliveryId);
    if (current.status === 'pending' || current.status === 'succeeded') {
      throw conflict(`delivery ${deliveryId} is ${current.status}; only a failed or dead delivery can be replayed`);
    }
    if (!current.channel_enabled) throw channelDisabled({ name: current.channel_name, disabledReason: current.disabled_reason }, 'replaying');
    await resetDeliveryForReplay(trx, organizationId, deliveryId, deps.clock());
    await scheduleDeliveryAttempt(trx, deps.boss, { organizationId, deliveryId });
    return findDeliveryOrThrow(trx, organizationId, deliveryId);
  });
  deps.logger.info({ organizationId, deliveryId, channelId: delivery.channel_id, by }, 'delivery replayed');
  return delivery;
}

/**
 * Creates a `test` delivery to a channel and enqueues its attempt, in one transaction: the
 * notifier then sends a clearly labelled test message through the same path as real ones.
 * @throws PlanekeeperError not_found (not the organization's channel), conflict (the channel is disabled).
 */
export async function sendTestDelivery(deps: DeliveryDeps, organizationId: OrganizationId, channelId: string, by: string): Promise<DeliveryRow> {
  const delivery = await deps.db.transaction().execute(async (trx) => {
    const channel = await findChannel(trx, organizationId, channelId, { lock: 'share' });
    if (!channel) throw notFound('notification channel', channelId);
    if (!channel.enabled) throw channelDisabled({ name: channel.name, disabledReason: channel.disabled_reason }, 'testing it');
    const id = await insertTestDelivery(trx, organizationId, channelId);
    await scheduleDeliveryAttempt(trx, deps.boss, { organizationId, deliveryId: id });
    return findDeliveryOrThrow(trx, organizationId, id);
  });
  deps.logger.info({ organizationId, channelId, deliveryId: delivery.id, by }, 'test delivery enqueued');
  return delivery;
}

async function findDeliveryOrThrow(db: DeliveryDeps['db'], organizationId: OrganizationId, id: string): Promise<DeliveryRow> {
  const row = await findDelivery(db, organizationId, id);
  if (!row) throw new Error(`delivery ${id} vanished within its own transaction`);
  return row;
}
