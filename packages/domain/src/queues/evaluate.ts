import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { deadLettersQueue } from './dead-letters.ts';
import { defineQueue } from './define-queue.ts';

/** What to evaluate: one config, or every config that references a job or rule. */
export const evaluateTargetSchema = z.union(
  [
    z.strictObject({ alertConfigId: idSchema }),
    z.strictObject({ gatherJobId: idSchema }),
    z.strictObject({ scrapeJobId: idSchema }),
    z.strictObject({ ruleId: idSchema }),
  ],
  { error: 'target must be exactly one of { alertConfigId }, { gatherJobId }, { scrapeJobId }, { ruleId }' },
);
/** What to evaluate. */
export type EvaluateTarget = z.output<typeof evaluateTargetSchema>;

/** Evaluate alert configs; the rules-engine applies the alert lifecycle. */
export const evaluateQueue = defineQueue({
  name: 'evaluate',
  description: 'Evaluate the alert configs of a target and apply the alert lifecycle',
  schema: z.strictObject({
    organizationId: idSchema,
    /** Why (for logs): `gather_completed`, `scrape_completed`, `manual_version`, `rule_changed`, ... */
    reason: z.string().min(1).max(200),
    target: evaluateTargetSchema,
  }),
  options: { policy: 'standard', retryLimit: 5, retryDelay: 2, retryBackoff: true, retryDelayMax: 120, expireInSeconds: 120, heartbeatSeconds: 30, deadLetter: deadLettersQueue.name },
  // A burst of finished scrapes often names one target many times: in batches of 20 the
  // rules-engine evaluates each distinct target of a batch once.
  consumer: { batchSize: 20, concurrency: 4, batch: 'sequential', pollingIntervalSeconds: 2 },
});
/** Payload of `evaluate`. */
export type EvaluatePayload = z.output<typeof evaluateQueue.schema>;
