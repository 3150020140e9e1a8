import { z } from 'zod';
import { ALL_RULE_TYPES } from '../rules/evaluate-rule.ts';
import { idSchema, listQueryShape, nameSchema, nameSearchSchema, timestampSchema, unlessMissing } from './common.ts';
import { addIssues, throwIfIssues, type FieldIssue } from './parse.ts';

/** How a rule measures staleness. */
export const RULE_TYPE_VALUES = ALL_RULE_TYPES;
/** A rule type. */
export const ruleTypeSchema = z.enum(RULE_TYPE_VALUES);

/** Largest threshold accepted (about 2700 years of days_behind). */
export const THRESHOLD_MAX = 1_000_000;

// Whole and at least 1, except libyear's (years, fractions allowed): checked per type below.
const threshold = (field: string) =>
  z
    .number({ error: unlessMissing(`${field} must be a number`) })
    .min(0, `${field} must be at least 0`)
    .max(THRESHOLD_MAX, `${field} must be at most ${THRESHOLD_MAX}`);

/** Thresholds, any of which may be absent (an update), with the rule's type when known. */
export interface RuleThresholds {
  type?: (typeof RULE_TYPE_VALUES)[number] | undefined;
  moderate?: number | undefined;
  high?: number | undefined;
  critical?: number | undefined;
}

const THRESHOLD_FIELDS = ['moderate', 'high', 'critical'] as const;

/** Problems of each threshold's own value for the rule's type: libyear's are years above 0, the others whole numbers from 1. */
function thresholdValueIssues(thresholds: RuleThresholds): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const field of THRESHOLD_FIELDS) {
    const value = thresholds[field];
    // An update without a type is checked by the service, merged with the stored rule.
    if (value === undefined || thresholds.type === undefined) continue;
    if (thresholds.type === 'libyear') {
      if (value <= 0) issues.push({ path: [field], message: `${field} must be above 0 (years)` });
    } else if (!Number.isInteger(value)) {
      issues.push({ path: [field], message: `${field} must be an integer` });
    } else if (value < 1 && thresholds.type !== 'eol') {
      issues.push({ path: [field], message: `${field} must be at least 1` });
    }
  }
  return issues;
}

/**
 * Order problems of thresholds that must satisfy moderate <= high <= critical, reported at the
 * higher field of each pair. Absent values are skipped, so a service checks an update by merging
 * it with the stored rule first.
 */
export function ruleThresholdIssues(thresholds: RuleThresholds): FieldIssue[] {
  const { moderate, high, critical } = thresholds;
  const issues: FieldIssue[] = thresholdValueIssues(thresholds);
  if (issues.length > 0) return issues;
  if (thresholds.type === 'eol') return eolOrderIssues(thresholds);
  if (moderate !== undefined && high !== undefined && high < moderate) {
    issues.push({ path: ['high'], message: `high must be at least moderate (${moderate})` });
  }
  const floor = high ?? moderate;
  if (floor !== undefined && critical !== undefined && critical < floor) {
    const name = high === undefined ? 'moderate' : 'high';
    issues.push({ path: ['critical'], message: `critical must be at least ${name} (${floor})` });
  }
  return issues;
}

/** An `eol` rule counts days left, so its thresholds run downwards: moderate >= high >= critical >= 0. */
function eolOrderIssues({ moderate, high, critical }: RuleThresholds): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (moderate !== undefined && high !== undefined && high > moderate) {
    issues.push({ path: ['high'], message: `high must be at most moderate (${moderate}): an eol rule counts days left` });
  }
  const ceiling = high ?? moderate;
  if (ceiling !== undefined && critical !== undefined && critical > ceiling) {
    const name = high === undefined ? 'moderate' : 'high';
    issues.push({ path: ['critical'], message: `critical must be at most ${name} (${ceiling}): an eol rule counts days left` });
  }
  return issues;
}

/** Throws `validation_failed` when the (merged) thresholds are out of order. */
export function assertRuleThresholds(thresholds: RuleThresholds): void {
  throwIfIssues(ruleThresholdIssues(thresholds), 'Invalid rule');
}

const fields = {
  name: nameSchema,
  type: ruleTypeSchema,
  moderate: threshold('moderate').describe('behind-by value at which the severity is moderate (libyear: years, fractions allowed)'),
  high: threshold('high'),
  critical: threshold('critical'),
  stableOnly: z.boolean().optional().describe('Ignore prereleases when looking for the latest version; default true'),
};

/** `POST /rules`: thresholds are integers >= 1 with moderate <= high <= critical. */
export const ruleCreateSchema = z
  .strictObject(fields)
  .superRefine((rule, ctx) => addIssues(ctx, ruleThresholdIssues(rule)))
  .meta({ id: 'RuleCreate', description: 'A rule: how far behind is moderate, high, critical' });
/** Body of `POST /rules`. */
export type RuleCreate = z.infer<typeof ruleCreateSchema>;

/** `PATCH /rules/:id`: any subset; thresholds given with a type are checked here, merged ones by the service. */
export const ruleUpdateSchema = z
  .strictObject({
    name: fields.name.optional(),
    type: fields.type.optional(),
    moderate: fields.moderate.optional(),
    high: fields.high.optional(),
    critical: fields.critical.optional(),
    stableOnly: fields.stableOnly,
  })
  // Without a type the order is unknown (an eol rule's runs downwards): the service checks the
  // thresholds merged with the stored rule.
  .superRefine((rule, ctx) => {
    if (rule.type !== undefined) addIssues(ctx, ruleThresholdIssues(rule));
  })
  .meta({ id: 'RuleUpdate' });
/** Body of `PATCH /rules/:id`. */
export type RuleUpdate = z.infer<typeof ruleUpdateSchema>;

/** A rule as the API returns it. */
export const ruleResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    type: ruleTypeSchema,
    moderate: z.number(),
    high: z.number(),
    critical: z.number(),
    stableOnly: z.boolean(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Rule' });
/** A rule as the API returns it. */
export type RuleResponse = z.infer<typeof ruleResponseSchema>;

/** `GET /rules` query. */
export const ruleListQuerySchema = z.strictObject({ ...listQueryShape, q: nameSearchSchema, type: ruleTypeSchema.optional() });
/** `GET /rules` query. */
export type RuleListQuery = z.infer<typeof ruleListQuerySchema>;
