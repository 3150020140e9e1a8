import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, timestampSchema } from './common.ts';
import { credentialNameSchema, cronSchema, gitRefSchema, gitUrlSchema, queryFlagSchema, regexProblem, repoFilePathSchema } from './fields.ts';
import { addIssues, throwIfIssues, type FieldIssue } from './parse.ts';

/** How a scrape job reads the deployed version; `manual` versions are entered through the API. */
export const PARSER_VALUES = ['yq', 'jq', 'regex', 'manual'] as const;
/** A scrape job's parser. */
export type ParserType = (typeof PARSER_VALUES)[number];
/** A scrape job's parser. */
export const parserSchema = z.enum(PARSER_VALUES);

/** Bounds of a scrape job's snapshot history. */
export const HISTORY_LIMIT_MIN = 1;
/** Bounds of a scrape job's snapshot history. */
export const HISTORY_LIMIT_MAX = 10_000;

const expressionSchema = z
  .string()
  .min(1, 'expression must not be empty')
  .max(2000, 'expression must be at most 2000 characters')
  .describe('yq/jq path (e.g. .image.tag) or a regex whose first capture group is the version');

/** The fields whose combination {@link scrapeJobIssues} checks; null and undefined both mean absent. */
export interface ScrapeJobFields {
  parser: ParserType;
  repoUrl?: string | null;
  filePath?: string | null;
  expression?: string | null;
  schedule?: string | null;
}

/**
 * Cross-field problems of a scrape job: a non-manual job needs repoUrl, filePath, expression and
 * schedule; a regex expression must compile and have a capture group. Services run it on the
 * stored job merged with an update.
 */
export function scrapeJobIssues(job: ScrapeJobFields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (job.parser !== 'manual') {
    for (const field of ['repoUrl', 'filePath', 'expression', 'schedule'] as const) {
      const value = job[field];
      if (value === undefined || value === null) {
        issues.push({ path: [field], message: `${field} is required unless parser is manual` });
      }
    }
  }
  if (job.parser === 'regex' && typeof job.expression === 'string') {
    const problem = regexProblem(job.expression, { requireCaptureGroup: true });
    if (problem !== null) issues.push({ path: ['expression'], message: `expression ${problem}` });
  }
  return issues;
}

/** Throws `validation_failed` when {@link scrapeJobIssues} finds a problem. */
export function assertScrapeJobConsistent(job: ScrapeJobFields): void {
  throwIfIssues(scrapeJobIssues(job), 'Invalid scrape job');
}

const fields = {
  name: nameSchema,
  repoUrl: gitUrlSchema('repoUrl').nullish(),
  ref: gitRefSchema.nullish(),
  filePath: repoFilePathSchema('filePath').nullish(),
  parser: parserSchema,
  expression: expressionSchema.nullish(),
  credentialName: credentialNameSchema.nullish(),
  schedule: cronSchema('schedule').nullish(),
  historyLimit: z
    .number()
    .int('historyLimit must be an integer')
    .min(HISTORY_LIMIT_MIN, `historyLimit must be at least ${HISTORY_LIMIT_MIN}`)
    .max(HISTORY_LIMIT_MAX, `historyLimit must be at most ${HISTORY_LIMIT_MAX}`)
    .optional()
    .describe('Snapshots kept, default 100'),
  enabled: z.boolean().optional(),
};

/** `POST /scrape-jobs`: repo fields, expression and schedule are required unless parser is manual. */
export const scrapeJobCreateSchema = z
  .strictObject(fields)
  .superRefine((job, ctx) => addIssues(ctx, scrapeJobIssues(job)))
  .meta({ id: 'ScrapeJobCreate', description: 'A scrape job: where the deployed version is read from' });
/** Body of `POST /scrape-jobs`. */
export type ScrapeJobCreate = z.infer<typeof scrapeJobCreateSchema>;

/**
 * `PATCH /scrape-jobs/:id`: any subset; null clears an optional field. Whether the result is
 * complete depends on the stored job: the service merges and calls {@link assertScrapeJobConsistent}.
 */
export const scrapeJobUpdateSchema = z
  .strictObject({ ...fields, name: nameSchema.optional(), parser: parserSchema.optional() })
  .superRefine((update, ctx) => {
    if (update.parser === 'regex' && typeof update.expression === 'string') {
      const problem = regexProblem(update.expression, { requireCaptureGroup: true });
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['expression'], message: `expression ${problem}` });
    }
  })
  .meta({ id: 'ScrapeJobUpdate' });
/** Body of `PATCH /scrape-jobs/:id`. */
export type ScrapeJobUpdate = z.infer<typeof scrapeJobUpdateSchema>;

/** `PUT /scrape-jobs/:id/version`: the deployed version entered by hand. */
export const scrapeJobVersionSchema = z
  .strictObject({
    version: z.string().trim().min(1, 'version must not be empty').max(200).describe('As deployed, e.g. v1.2.0 or 16.2-alpine'),
  })
  .meta({ id: 'ScrapeJobVersion' });
/** Body of `PUT /scrape-jobs/:id/version`. */
export type ScrapeJobVersion = z.infer<typeof scrapeJobVersionSchema>;

/** A scrape job as the API returns it. */
export const scrapeJobResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    repoUrl: z.string().nullable(),
    ref: z.string().nullable(),
    filePath: z.string().nullable(),
    parser: parserSchema,
    expression: z.string().nullable(),
    credentialName: z.string().nullable(),
    schedule: z.string().nullable(),
    historyLimit: z.number().int(),
    enabled: z.boolean(),
    nextRunAt: timestampSchema.nullable(),
    lastRunAt: timestampSchema.nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'ScrapeJob' });
/** A scrape job as the API returns it. */
export type ScrapeJobResponse = z.infer<typeof scrapeJobResponseSchema>;

/** `GET /scrape-jobs` query: `?parser=`, `?enabled=`. */
export const scrapeJobListQuerySchema = z.strictObject({
  ...listQueryShape,
  parser: parserSchema.optional(),
  enabled: queryFlagSchema('Only enabled (true) or disabled (false) jobs'),
});
/** `GET /scrape-jobs` query. */
export type ScrapeJobListQuery = z.infer<typeof scrapeJobListQuerySchema>;

/** A deployed-version snapshot as the API returns it. */
export const versionSnapshotResponseSchema = z
  .object({
    id: idSchema,
    scrapeJobId: idSchema,
    version: z.string(),
    raw: z.string().nullable(),
    commitSha: z.string().nullable(),
    source: z.enum(['agent', 'manual']),
    foundAt: timestampSchema,
  })
  .meta({ id: 'VersionSnapshot' });
/** A deployed-version snapshot as the API returns it. */
export type VersionSnapshotResponse = z.infer<typeof versionSnapshotResponseSchema>;

/** `GET /scrape-jobs/:id/snapshots` query. */
export const versionSnapshotListQuerySchema = z.strictObject(listQueryShape);
/** `GET /scrape-jobs/:id/snapshots` query. */
export type VersionSnapshotListQuery = z.infer<typeof versionSnapshotListQuerySchema>;
