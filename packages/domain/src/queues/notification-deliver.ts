import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { defineQueue } from './define-queue.ts';
import { notificationDeadQueue } from './notification-dead.ts';

/**
 * One delivery attempt. The notifier schedules retries itself (retryDelaySeconds and Retry-After,
 * sending a new job with `startAfter` in the transaction that records the attempt) and sends to
 * `notification.dead` when they are used up. The pg-boss retries here only cover a notifier that
 * crashed or hung mid-attempt; when those are used up too, pg-boss dead-letters the job (as it
 * does at once with a payload that does not parse).
 */
export const notificationDeliverQueue = defineQueue({
  name: 'notification.deliver',
  description: 'Deliver one notification to one channel',
  schema: z.strictObject({ organizationId: idSchema, deliveryId: idSchema }),
  options: {
    policy: 'standard',
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 120,
    deadLetter: notificationDeadQueue.name,
  },
  // Attempts mostly wait on receivers, so a batch is attempted side by side: 20 at once in
  // batches of 5 keeps enough in flight to drain a backlog while one slow receiver holds up
  // only its own batch.
  consumer: { batchSize: 5, concurrency: 20, batch: 'parallel', pollingIntervalSeconds: 2 },
});
/** Payload of `notification.deliver`. */
export type NotificationDeliverPayload = z.output<typeof notificationDeliverQueue.schema>;
