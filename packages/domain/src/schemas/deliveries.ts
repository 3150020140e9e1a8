import { z } from 'zod';
import { idSchema, listQueryShape, timestampSchema } from './common.ts';

/** pending: queued or retrying; failed: refused for good (4xx); dead: retries used up. */
export const DELIVERY_STATUS_VALUES = ['pending', 'succeeded', 'failed', 'dead'] as const;
/** A delivery status. */
export type DeliveryStatus = (typeof DELIVERY_STATUS_VALUES)[number];
/** A delivery status. */
export const deliveryStatusSchema = z.enum(DELIVERY_STATUS_VALUES);

/** What one attempt came to (see `classifyDeliveryResponse`). */
export const DELIVERY_OUTCOME_VALUES = ['succeeded', 'retry', 'permanent', 'gone'] as const;
/** The outcome of one delivery attempt. */
export type DeliveryOutcome = (typeof DELIVERY_OUTCOME_VALUES)[number];

/** A delivery (one event to one channel) as the API returns it. Its id is the `webhook-id`. */
export const deliveryResponseSchema = z
  .object({
    id: idSchema.describe('Stable across retries and replays; sent as webhook-id'),
    kind: z.enum(['event', 'test']),
    alertEventId: idSchema.nullable(),
    channelId: idSchema,
    status: deliveryStatusSchema,
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: timestampSchema.nullable(),
    deliveredAt: timestampSchema.nullable(),
    replayedAt: timestampSchema.nullable().describe('When it was last replayed; a replay gives it a fresh retry budget'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Delivery' });
/** A delivery as the API returns it. */
export type DeliveryResponse = z.infer<typeof deliveryResponseSchema>;

/** One attempt of a delivery. */
export const deliveryAttemptResponseSchema = z
  .object({
    id: idSchema,
    deliveryId: idSchema,
    attemptedAt: timestampSchema,
    outcome: z.enum(DELIVERY_OUTCOME_VALUES),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    latencyMs: z.number().int(),
  })
  .meta({ id: 'DeliveryAttempt' });
/** A delivery attempt as the API returns it. */
export type DeliveryAttemptResponse = z.infer<typeof deliveryAttemptResponseSchema>;

/** `GET /deliveries` query: `?status=dead`, `?channelId=`, `?alertEventId=`. */
export const deliveryListQuerySchema = z.strictObject({
  ...listQueryShape,
  status: deliveryStatusSchema.optional(),
  channelId: idSchema.optional(),
  alertEventId: idSchema.optional(),
});
/** `GET /deliveries` query. */
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;

/** `GET /deliveries/:id`: the delivery with every attempt made, oldest first. */
export const deliveryDetailResponseSchema = deliveryResponseSchema
  .extend({ attemptHistory: z.array(deliveryAttemptResponseSchema).describe('Every attempt, oldest first, across replays') })
  .meta({ id: 'DeliveryDetail' });
/** A delivery with its attempts, as the API returns it. */
export type DeliveryDetailResponse = z.infer<typeof deliveryDetailResponseSchema>;
