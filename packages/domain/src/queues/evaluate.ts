import { z } from 'zod';
import { idSchema } from '../schemas/common.ts';
import { defineQueue } from './define-queue.ts';

/** Reasons producers give for an evaluation (free text is accepted; these are the usual ones). */
export const EVALUATE_REASONS = [
  'gather_completed',
  'scrape_completed',
  'manual_version',
  'alert_config_changed',
  'rule_changed',
  'scheduled',
] as const;

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
    reason: z.string().min(1).max(200),
    target: evaluateTargetSchema,
  }),
  options: { policy: 'standard', retryLimit: 5, retryDelay: 2, retryBackoff: true, retryDelayMax: 120, expireInSeconds: 120, heartbeatSeconds: 30 },
});
/** Payload of `evaluate`. */
export type EvaluatePayload = z.output<typeof evaluateQueue.schema>;
