import { scheduleDeliveryAttempt } from '@planekeeper/db';
import { trustedOrganizationId, type AlertEventPayload } from '@planekeeper/domain';
import { channelsMatchingEvent, findAlertEvent, insertEventDeliveries } from '../db/alert-events.queries.ts';
import type { NotifierDeps } from '../deps.ts';

/**
 * Turns an alert event into deliveries: one per enabled channel that an enabled notification rule
 * sends the event's type and severity to, each with its first attempt enqueued, all in one
 * transaction. Idempotent: a redelivered event finds its deliveries made and makes no second one.
 * Returns the ids of the deliveries created by this call.
 */
export async function createEventDeliveries(deps: Pick<NotifierDeps, 'db' | 'boss' | 'logger' | 'metrics'>, payload: AlertEventPayload): Promise<string[]> {
  const { alertEventId } = payload;
  const organizationId = trustedOrganizationId(payload.organizationId);
  const created = await deps.db.transaction().execute(async (trx) => {
    const event = await findAlertEvent(trx, organizationId, alertEventId);
    if (!event) return null;
    const channelIds = await channelsMatchingEvent(trx, organizationId, event);
    const deliveryIds = await insertEventDeliveries(trx, organizationId, event.id, channelIds);
    for (const deliveryId of deliveryIds) await scheduleDeliveryAttempt(trx, deps.boss, { organizationId, deliveryId });
    return { event, channelIds, deliveryIds };
  });
  if (created === null) {
    deps.metrics.alertEvents.inc({ outcome: 'missing' });
    deps.logger.warn({ organizationId, alertEventId }, 'alert event not found (deleted with its alert?): nothing to notify');
    return [];
  }
  const { event, channelIds, deliveryIds } = created;
  deps.metrics.alertEvents.inc({ outcome: channelIds.length > 0 ? 'matched' : 'unmatched' });
  deps.logger.info(
    { organizationId, alertEventId, alertId: event.alert_id, eventType: event.type, severity: event.severity, channels: channelIds.length, deliveryIds, alreadyMade: channelIds.length - deliveryIds.length },
    deliveryIds.length > 0 ? 'deliveries created' : 'no new deliveries for alert event',
  );
  return deliveryIds;
}
