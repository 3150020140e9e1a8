import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { deadLettersQueue } from './dead-letters.ts';
import { defineQueue } from './define-queue.ts';

/**
 * Dead letters of `notification.deliver`: the consumer marks the delivery `dead`. A job sent here
 * directly dead-letters into `dead-letters`; a copy pg-boss dead-lettered here has no dead-letter
 * queue of its own (pg-boss does not chain them), so one that cannot be handled ends failed here,
 * its error kept as the job's output.
 */
export const notificationDeadQueue = defineQueue({
  name: 'notification.dead',
  description: 'Deliveries whose retries are used up; mark them dead (replayable through the API)',
  schema: z.strictObject({ organizationId: idSchema, deliveryId: idSchema }),
  options: { policy: 'standard', retryLimit: 5, retryDelay: 10, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 60, deadLetter: deadLettersQueue.name },
  // With metadata: a job pg-boss dead-lettered names the queue and job it came from.
  consumer: { batchSize: 1, concurrency: 1, batch: 'sequential', pollingIntervalSeconds: 2, includeMetadata: true },
});
/** Payload of `notification.dead`. */
export type NotificationDeadPayload = z.output<typeof notificationDeadQueue.schema>;
