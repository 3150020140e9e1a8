import { z } from 'zod';
import { alertEventTypeSchema } from './alerts.ts';
import { idSchema, listQueryShape, nameSchema, nameSearchSchema, severitySchema, timestampSchema } from './common.ts';

const distinct = <T extends z.ZodType>(item: T, field: string) =>
  z
    .array(item)
    .min(1, `${field} must list at least one value`)
    .refine((values) => new Set(values).size === values.length, `${field} must not repeat a value`);

const fields = {
  name: nameSchema,
  channelId: idSchema,
  events: distinct(alertEventTypeSchema, 'events').describe('Which alert events to send'),
  severities: distinct(severitySchema, 'severities').describe("Which of the alerts' severities to send"),
  enabled: z.boolean().optional(),
};

/** `POST /notification-rules`: events x severities -> channel. */
export const notificationRuleCreateSchema = z
  .strictObject(fields)
  .meta({ id: 'NotificationRuleCreate', description: 'Sends the chosen events of the chosen severities to a channel' });
/** Body of `POST /notification-rules`. */
export type NotificationRuleCreate = z.infer<typeof notificationRuleCreateSchema>;

/** `PATCH /notification-rules/:id`: any subset. */
export const notificationRuleUpdateSchema = z
  .strictObject({
    name: fields.name.optional(),
    channelId: fields.channelId.optional(),
    events: fields.events.optional(),
    severities: fields.severities.optional(),
    enabled: fields.enabled,
  })
  .meta({ id: 'NotificationRuleUpdate' });
/** Body of `PATCH /notification-rules/:id`. */
export type NotificationRuleUpdate = z.infer<typeof notificationRuleUpdateSchema>;

/** A notification rule as the API returns it. */
export const notificationRuleResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    channelId: idSchema,
    events: z.array(alertEventTypeSchema),
    severities: z.array(severitySchema),
    enabled: z.boolean(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'NotificationRule' });
/** A notification rule as the API returns it. */
export type NotificationRuleResponse = z.infer<typeof notificationRuleResponseSchema>;

/** `GET /notification-rules` query. */
export const notificationRuleListQuerySchema = z.strictObject({ ...listQueryShape, q: nameSearchSchema, channelId: idSchema.optional() });
/** `GET /notification-rules` query. */
export type NotificationRuleListQuery = z.infer<typeof notificationRuleListQuerySchema>;
