import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { deadLettersQueue } from './dead-letters.ts';
import { defineQueue } from './define-queue.ts';

/** A task finished (result or failure stored); taskengine ingests it. Sent by the api. */
export const taskCompletedQueue = defineQueue({
  name: 'task.completed',
  description: 'A task was reported; ingest its result and enqueue evaluations',
  schema: z.strictObject({ organizationId: idSchema, taskId: idSchema }),
  options: { policy: 'standard', retryLimit: 5, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 300, heartbeatSeconds: 30, deadLetter: deadLettersQueue.name },
  // Ingested one after another per worker (each in its own transaction); a backlog after an
  // outage drains in batches of 10.
  consumer: { batchSize: 10, concurrency: 4, batch: 'sequential', pollingIntervalSeconds: 2 },
});
/** Payload of `task.completed`. */
export type TaskCompletedPayload = z.output<typeof taskCompletedQueue.schema>;
