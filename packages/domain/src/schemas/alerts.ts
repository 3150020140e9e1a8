import { z } from 'zod';
import { ALERT_EVENT_TYPES } from '../alerts/alert-lifecycle.ts';
import { idSchema, listQueryShape, severitySchema, timestampSchema } from './common.ts';
import { ruleTypeSchema } from './rules.ts';

/** An alert event type. */
export const alertEventTypeSchema = z.enum(ALERT_EVENT_TYPES).meta({ id: 'AlertEventType' });

/** An alert is open until its config stops violating (or is disabled or deleted). */
export const ALERT_STATUS_VALUES = ['open', 'resolved'] as const;
/** An alert status. */
export type AlertStatus = (typeof ALERT_STATUS_VALUES)[number];
/** An alert status. */
export const alertStatusSchema = z.enum(ALERT_STATUS_VALUES);

/** An alert as the API returns it; versions are shown as the tags were gathered or entered. */
export const alertResponseSchema = z
  .object({
    id: idSchema,
    alertConfigId: idSchema.nullable().describe('Null once the alert config is deleted; the alert stays in history'),
    alertConfigName: z.string(),
    ruleType: ruleTypeSchema,
    status: alertStatusSchema,
    severity: severitySchema,
    deployedVersion: z.string(),
    latestVersion: z.string(),
    behindBy: z.number(),
    acknowledged: z.boolean(),
    acknowledgedAt: timestampSchema.nullable(),
    acknowledgedBy: z.string().nullable().describe('Name of the API key that acknowledged'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    resolvedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'Alert' });
/** An alert as the API returns it. */
export type AlertResponse = z.infer<typeof alertResponseSchema>;

/** `GET /alerts` query: `?status=open`, `?alertConfigId=`, `?severity=`. */
export const alertListQuerySchema = z.strictObject({
  ...listQueryShape,
  status: alertStatusSchema.optional(),
  alertConfigId: idSchema.optional(),
  severity: severitySchema.optional(),
});
/** `GET /alerts` query. */
export type AlertListQuery = z.infer<typeof alertListQuerySchema>;

/** One step of an alert's history, with the alert's severity and versions at that moment. */
export const alertEventResponseSchema = z
  .object({
    id: idSchema,
    alertId: idSchema,
    type: alertEventTypeSchema,
    severity: severitySchema,
    deployedVersion: z.string(),
    latestVersion: z.string(),
    behindBy: z.number(),
    actor: z.string().nullable().describe('Who acknowledged or unacknowledged; null for the rules engine'),
    createdAt: timestampSchema,
  })
  .meta({ id: 'AlertEvent' });
/** An alert event as the API returns it. */
export type AlertEventResponse = z.infer<typeof alertEventResponseSchema>;

/** `GET /alert-events` (or `/alerts/:id/events`) query. */
export const alertEventListQuerySchema = z.strictObject({
  ...listQueryShape,
  alertId: idSchema.optional(),
  type: alertEventTypeSchema.optional(),
});
/** `GET /alert-events` query. */
export type AlertEventListQuery = z.infer<typeof alertEventListQuerySchema>;
