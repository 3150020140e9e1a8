import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { defineQueue } from './define-queue.ts';

/** Dead letters of `notification.deliver`: the consumer marks the delivery `dead`. */
export const notificationDeadQueue = defineQueue({
  name: 'notification.dead',
  description: 'Deliveries whose retries are used up; mark them dead (replayable through the API)',
  schema: z.strictObject({ organizationId: idSchema, deliveryId: idSchema }),
  options: { policy: 'standard', retryLimit: 5, retryDelay: 10, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 60 },
});
/** Payload of `notification.dead`. */
export type NotificationDeadPayload = z.output<typeof notificationDeadQueue.schema>;
