import { z } from 'zod';
import { defineQueue } from './define-queue.ts';

/**
 * Where jobs end that no consumer could process and whose queue has no dead-letter consumer of its
 * own: payloads that do not parse, and jobs whose retries are used up. Nobody works it; the jobs
 * stay (with the queue and job they came from, and the error) for people to read and redrive
 * (pg-boss `redrive`) until their retention runs out.
 */
export const deadLettersQueue = defineQueue({
  name: 'dead-letters',
  description: 'Jobs that could not be processed (invalid payloads, retries used up), kept for inspection and redrive',
  // Whatever the failed job carried: it is kept as it came, for people to read.
  schema: z.unknown(),
  options: { policy: 'standard', retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 60, retentionSeconds: 30 * 86_400 },
});
