import { z } from 'zod';
import { SEVERITIES, type Severity } from '../rules/severity.ts';
import { ERROR_CODES } from '../errors.ts';

/**
 * A schema-level message for wrong input that defers to the parse-level "<field> is required"
 * when the field is missing (a plain string message would answer both cases).
 */
export function unlessMissing(message: string): (issue: { input?: unknown }) => string | undefined {
  return (issue) => (issue.input === undefined ? undefined : message);
}

/** Alert severities, lowest first (the rules module owns them). */
export const SEVERITY_VALUES = SEVERITIES;

/** An alert severity: `moderate` < `high` < `critical`. */
export type AlertSeverity = Severity;

/** A severity. */
export const severitySchema = z.enum(SEVERITY_VALUES).meta({ id: 'Severity', description: 'moderate < high < critical' });

/** Longest display name of any resource. */
export const NAME_MAX_LENGTH = 200;

/** A resource name: trimmed, 1..200 characters. */
export const nameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(NAME_MAX_LENGTH, `must be at most ${NAME_MAX_LENGTH} characters`)
  .describe('Display name, 1..200 characters');

/** An object id: a UUID string (any version, as Postgres stores them). */
export const idSchema = z.guid({ error: unlessMissing('must be a UUID') }).describe('UUID');

/** Path parameters of `/:id` routes. */
export const idParamsSchema = z.strictObject({ id: idSchema });
/** Path parameters of `/:id` routes. */
export type IdParams = z.infer<typeof idParamsSchema>;

/** An ISO 8601 timestamp with `Z` or an offset, as every timestamp in the API is rendered. */
export const timestampSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' });

/** Default and largest page size of list endpoints. */
export const LIST_LIMIT_DEFAULT = 50;
/** Largest page size of list endpoints. */
export const LIST_LIMIT_MAX = 500;

/** Shape of the list query shared by every list endpoint; extend it with a resource's filters. */
/** The latest task of a job (gather, scrape, helm sync): how its last run went. */
export const lastTaskSchema = z
  .object({
    status: z.enum(['pending', 'claimed', 'succeeded', 'failed']),
    error: z.string().nullable(),
    completedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'LastTask' });

/** `?q=`: a name search, case-insensitive substring (the web UI's search boxes). */
export const nameSearchSchema = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional().describe('Name contains this text (case-insensitive)');

export const listQueryShape = {
  limit: z.coerce
    .number('must be a number')
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(LIST_LIMIT_MAX, `must be at most ${LIST_LIMIT_MAX}`)
    .default(LIST_LIMIT_DEFAULT)
    .describe(`Page size, 1..${LIST_LIMIT_MAX}, default ${LIST_LIMIT_DEFAULT}`),
  cursor: z.string().min(1).max(1000).optional().describe('The nextCursor of the previous page'),
};

/** `?limit=&cursor=` of any list endpoint. */
export const listQuerySchema = z.strictObject(listQueryShape).meta({ id: 'ListQuery' });
/** A parsed list query. */
export type ListQuery = z.infer<typeof listQuerySchema>;

/** The list envelope `{ items, nextCursor }` around `item`. */
export function listEnvelopeSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
  });
}

/** A list page. */
export interface ListEnvelope<T> {
  items: T[];
  nextCursor: string | null;
}

/** One problem with one field of a request. */
export const errorDetailSchema = z.object({
  path: z.string().describe("Dotted path of the field, '' for the whole body"),
  message: z.string(),
});

/** The error envelope every failing API call answers with. */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.array(errorDetailSchema),
    }),
  })
  .meta({ id: 'Error', description: 'Every error the API answers with' });
