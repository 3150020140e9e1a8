import { z } from 'zod';
import { ALERT_EVENT_TYPES, type AlertEventType } from '../alerts/alert-lifecycle.ts';
import { idSchema, timestampSchema } from './common.ts';
import { alertResponseSchema } from './alerts.ts';

/** The `type` of a generic webhook body for an alert event: `alert.<event>`. */
export function webhookEventType(event: AlertEventType): `alert.${AlertEventType}` {
  return `alert.${event}`;
}

/** The body of a generic (Standard Webhooks) delivery, DESIGN section 9. */
export const webhookBodySchema = z
  .object({
    type: z.enum(ALERT_EVENT_TYPES.map(webhookEventType) as [`alert.${AlertEventType}`, ...`alert.${AlertEventType}`[]]),
    timestamp: timestampSchema,
    data: z.object({
      alert: alertResponseSchema,
      alertConfig: z.object({ id: idSchema.nullable(), name: z.string() }),
    }),
  })
  .meta({ id: 'WebhookBody', description: 'Body of a generic webhook delivery' });
/** The body of a generic webhook delivery. */
export type WebhookBody = z.infer<typeof webhookBodySchema>;

/**
 * The body of a generic webhook test delivery (`POST /notification-channels/:id/test`): its own
 * `type`, so a receiver that acts on alerts never mistakes it for one.
 */
export const webhookTestBodySchema = z
  .object({
    type: z.literal('test'),
    timestamp: timestampSchema,
    data: z.object({
      message: z.string(),
      channel: z.object({ id: idSchema, name: z.string() }),
    }),
  })
  .meta({ id: 'WebhookTestBody', description: 'Body of a generic webhook test delivery' });
/** The body of a generic webhook test delivery. */
export type WebhookTestBody = z.infer<typeof webhookTestBodySchema>;
