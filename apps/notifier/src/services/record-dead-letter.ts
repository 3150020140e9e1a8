import { notificationDeliverQueue, trustedOrganizationId, type NotificationDeadPayload } from '@planekeeper/domain';
import { markDeliveryDeadByJob } from '../db/deliveries.queries.ts';
import type { NotifierDeps } from '../deps.ts';

/**
 * Handles a `notification.dead` job. The notifier sends one itself when a delivery's retries are
 * used up (the delivery is already `dead`: this only reports it). pg-boss sends one when a
 * `notification.deliver` job failed more often than the queue retries (the notifier kept crashing
 * or hanging on it): the delivery is then marked `dead` here, unless a newer job owns it.
 */
export async function recordDeadLetter(
  deps: Pick<NotifierDeps, 'db' | 'logger'>,
  payload: NotificationDeadPayload,
  source: { queue: string | null; jobId: string | null },
): Promise<void> {
  const ids = { organizationId: trustedOrganizationId(payload.organizationId), deliveryId: payload.deliveryId };
  if (source.queue !== notificationDeliverQueue.name) {
    deps.logger.warn(ids, 'delivery is dead (retries used up); replay it with POST /api/v1/deliveries/:id/replay');
    return;
  }
  const marked = await markDeliveryDeadByJob(
    deps.db,
    ids.organizationId,
    payload.deliveryId,
    source.jobId,
    'the delivery job failed every time the queue retried it (the notifier crashed, hung or lost its database); replay it when the cause is fixed',
  );
  if (marked) deps.logger.error({ ...ids, jobId: source.jobId }, 'delivery job dead-lettered by the queue: delivery marked dead');
  else deps.logger.info({ ...ids, jobId: source.jobId }, 'dead-lettered delivery job no longer owns its delivery: nothing to mark');
}
