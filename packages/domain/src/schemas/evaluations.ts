import { z } from 'zod';
import { idSchema, listQueryShape, severitySchema, timestampSchema } from './common.ts';
import { evaluationExplanationSchema } from './evaluation-explanation.ts';
import { skippedReleaseSchema } from './skip-versions.ts';

/** `ok`: compared; `unknown`: could not be compared (reason says why), the alert is left alone. */
export const EVALUATION_STATUS_VALUES = ['ok', 'unknown'] as const;
/** An evaluation status. */
export const evaluationStatusSchema = z.enum(EVALUATION_STATUS_VALUES);

/** The latest evaluation of one alert config. `id` equals `alertConfigId` (one per config). */
export const evaluationResponseSchema = z
  .object({
    id: idSchema.describe('Same as alertConfigId: there is one latest evaluation per config'),
    alertConfigId: idSchema,
    status: evaluationStatusSchema,
    reason: z.string().nullable().describe('Why the status is unknown, or a note such as a missing publish date'),
    deployedVersion: z.string().nullable(),
    latestVersion: z.string().nullable(),
    behindBy: z.number().nullable().describe('The rule type\'s measure: days, majors, minors, or years (libyear, two decimals)'),
    severity: severitySchema.nullable().describe('Null when there is no violation'),
    dateSource: z
      .enum(['published', 'first_seen'])
      .nullable()
      .optional()
      .describe('days_behind: whether days count from the publish date or, without one, from when the release was first gathered'),
    notes: z.array(z.string()).optional().describe('Remarks worth showing beside the result'),
    libyear: z.number().nullable().optional().describe('Years between the deployed release\'s publish date and the latest\'s; null without both dates'),
    eol: z
      .object({ cycle: z.string(), eolDate: z.string().nullable(), daysLeft: z.number().int().nullable() })
      .nullable()
      .optional()
      .describe('The deployed version\'s release cycle, its end-of-life date and the days left (negative: past it), when an endoflife job is linked'),
    skipped: z.array(skippedReleaseSchema).optional().describe('Releases left out by skipVersions of the alert config or gather job'),
    explanation: evaluationExplanationSchema
      .nullable()
      .describe('Why the answer is what it is: the family and variant compared within, the tags skipped and why, the date counted from; null for evaluations stored before explanations existed'),
    evaluatedAt: timestampSchema,
  })
  .meta({ id: 'Evaluation' });
/** An evaluation as the API returns it. */
export type EvaluationResponse = z.infer<typeof evaluationResponseSchema>;

/** `GET /evaluations` query: `?alertConfigId=`, `?status=`. */
export const evaluationListQuerySchema = z.strictObject({
  ...listQueryShape,
  alertConfigId: idSchema.optional(),
  status: evaluationStatusSchema.optional(),
});
/** `GET /evaluations` query. */
export type EvaluationListQuery = z.infer<typeof evaluationListQuerySchema>;
