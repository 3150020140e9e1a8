import { z } from 'zod';
import { ALERT_EVENT_TYPES } from '../alerts/alert-lifecycle.ts';
import { idSchema, listQueryShape, nameSearchSchema, severitySchema, timestampSchema } from './common.ts';
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
    snooze: z
      .object({
        snoozedAt: timestampSchema,
        until: timestampSchema.nullable().describe('When the snooze ends; null when it lasts until the latest version changes'),
        untilLatestChanges: z.boolean(),
        latestVersion: z.string().nullable().describe('The latest version it was snoozed on (untilLatestChanges)'),
        snoozedBy: z.string().describe('Name of the API key that snoozed it'),
        reason: z.string().nullable(),
      })
      .nullable()
      .optional()
      .describe('Set while snoozed: events other than resolved are recorded but not notified'),
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
  acknowledged: z.enum(['yes', 'no']).optional().describe('yes: acknowledged alerts only; no: unacknowledged only'),
  q: nameSearchSchema.describe('Alert config name contains this text (case-insensitive)'),
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

/** Longest a snooze may last. */
export const SNOOZE_MAX_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * `POST /alerts/:id/snooze`: until a time (in the future, at most a year ahead) or until the
 * latest version changes, exactly one of them; with an optional reason.
 */
export const alertSnoozeSchema = z
  .strictObject({
    until: timestampSchema.optional().describe('When the snooze ends (ISO 8601, future, at most a year ahead)'),
    untilLatestChanges: z.boolean().optional().describe('Snooze until the latest upstream version is no longer the current one'),
    reason: z.string().max(500, 'reason must be at most 500 characters').optional(),
  })
  .superRefine((body, ctx) => {
    const byLatest = body.untilLatestChanges === true;
    if (body.until === undefined && !byLatest) ctx.addIssue({ code: 'custom', path: ['until'], message: 'give until (a time) or untilLatestChanges: true' });
    if (body.until !== undefined && byLatest) ctx.addIssue({ code: 'custom', path: ['untilLatestChanges'], message: 'give either until or untilLatestChanges, not both' });
  })
  .meta({ id: 'AlertSnooze' });
/** Body of `POST /alerts/:id/snooze`. */
export type AlertSnoozeBody = z.infer<typeof alertSnoozeSchema>;
