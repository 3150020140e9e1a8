import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { deadLettersQueue } from './dead-letters.ts';
import { defineQueue } from './define-queue.ts';

/** An alert event was written; the notifier matches notification rules and makes deliveries. */
export const alertEventQueue = defineQueue({
  name: 'alert.event',
  description: 'Match an alert event against notification rules and create its deliveries',
  schema: z.strictObject({ organizationId: idSchema, alertEventId: idSchema }),
  options: { policy: 'standard', retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 120, heartbeatSeconds: 30, deadLetter: deadLettersQueue.name },
  // Each event is matched in its own short transaction.
  consumer: { batchSize: 20, concurrency: 2, batch: 'sequential', pollingIntervalSeconds: 2 },
});
/** Payload of `alert.event`. */
export type AlertEventPayload = z.output<typeof alertEventQueue.schema>;
