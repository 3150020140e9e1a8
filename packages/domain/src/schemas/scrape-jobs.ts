import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, lastTaskSchema, nameSearchSchema, timestampSchema } from './common.ts';
import { credentialNameSchema, cronSchema, gitRefSchema, gitUrlSchema, queryFlagSchema, regexProblem, repoFilePathSchema } from './fields.ts';
import { addIssues, throwIfIssues, type FieldIssue } from './parse.ts';
import { clusterTargetOutputSchemas, helmReleaseTargetSchema, kubernetesTargetSchema, scrapeDetailsSchema } from './cluster-targets.ts';

/**
 * How a scrape job reads the deployed version: a file in git (`yq`, `jq`, `regex`), the cluster
 * an agent runs in (`kubernetes`: workloads' image tags; `helm_release`: Helm's release records),
 * or by hand (`manual`, entered through the API).
 */
export const PARSER_VALUES = ['yq', 'jq', 'regex', 'manual', 'kubernetes', 'helm_release'] as const;
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

/** Parsers that read a file from git. */
export const GIT_PARSERS = ['yq', 'jq', 'regex'] as const;
/** Parsers that read the cluster an agent runs in; their jobs route to it by credentialName. */
export const CLUSTER_PARSERS = ['kubernetes', 'helm_release'] as const;

/** Whether `parser` reads the cluster (kubernetes, helm_release). */
export function isClusterParser(parser: ParserType): parser is (typeof CLUSTER_PARSERS)[number] {
  return (CLUSTER_PARSERS as readonly string[]).includes(parser);
}

/** The fields whose combination {@link scrapeJobIssues} checks; null and undefined both mean absent. */
export interface ScrapeJobFields {
  parser: ParserType;
  repoUrl?: string | null;
  filePath?: string | null;
  expression?: string | null;
  schedule?: string | null;
  ref?: string | null;
  credentialName?: string | null;
  kubernetes?: unknown;
  helmRelease?: unknown;
}

const present = (value: unknown) => value !== undefined && value !== null;

/**
 * Cross-field problems of a scrape job: a git job needs repoUrl, filePath, expression and
 * schedule; a kubernetes or helm_release job needs its settings, a schedule and a credentialName
 * (the cluster name its agents declare), and no git fields; settings of another parser are
 * refused; a regex expression must compile and have a capture group. Services run it on the
 * stored job merged with an update.
 */
export function scrapeJobIssues(job: ScrapeJobFields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const require = (field: keyof ScrapeJobFields, message: string) => {
    if (!present(job[field])) issues.push({ path: [field], message });
  };
  const refuse = (field: keyof ScrapeJobFields) => {
    if (present(job[field])) issues.push({ path: [field], message: `${field} is not used by parser ${job.parser}` });
  };
  if ((GIT_PARSERS as readonly string[]).includes(job.parser)) {
    for (const field of ['repoUrl', 'filePath', 'expression', 'schedule'] as const) require(field, `${field} is required unless parser is manual`);
  }
  if (isClusterParser(job.parser)) {
    const settings = job.parser === 'kubernetes' ? 'kubernetes' : 'helmRelease';
    require(settings, `${settings} is required for parser ${job.parser}`);
    require('schedule', `schedule is required for parser ${job.parser}`);
    require('credentialName', `credentialName is required for parser ${job.parser}: the cluster name its agents declare (AGENT_KUBE_CLUSTER)`);
    for (const field of ['repoUrl', 'ref', 'filePath', 'expression'] as const) refuse(field);
  }
  if (job.parser !== 'kubernetes') refuse('kubernetes');
  if (job.parser !== 'helm_release') refuse('helmRelease');
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
  kubernetes: kubernetesTargetSchema.nullish().describe('parser kubernetes: which workloads to read'),
  helmRelease: helmReleaseTargetSchema.nullish().describe('parser helm_release: which Helm release to read'),
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

/**
 * `POST /scrape-jobs`: git parsers need repo fields, expression and schedule; cluster parsers their
 * settings, schedule and credentialName; manual needs nothing.
 */
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
    kubernetes: clusterTargetOutputSchemas.kubernetes.nullable(),
    helmRelease: clusterTargetOutputSchemas.helmRelease.nullable(),
    credentialName: z.string().nullable(),
    schedule: z.string().nullable(),
    historyLimit: z.number().int(),
    enabled: z.boolean(),
    nextRunAt: timestampSchema.nullable(),
    lastRunAt: timestampSchema.nullable(),
    blockedReason: z.string().nullable().describe('Why no agent can take its pending task now (no online, non-draining agent with the capability or the credential); null when it can be taken or none is pending'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    lastTask: lastTaskSchema.nullable().optional().describe('The latest task of the job (on get and list): status, error, completedAt; null before the first run'),
  })
  .meta({ id: 'ScrapeJob' });
/** A scrape job as the API returns it. */
export type ScrapeJobResponse = z.infer<typeof scrapeJobResponseSchema>;

/** `GET /scrape-jobs` query: `?parser=`, `?enabled=`. */
export const scrapeJobListQuerySchema = z.strictObject({
  q: nameSearchSchema,
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
    imageDigest: z.string().nullable().describe('kubernetes: the image digest deployed, when the image reference carries one'),
    details: scrapeDetailsSchema.nullable().describe('kubernetes and helm_release: what was read, workload by workload'),
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
