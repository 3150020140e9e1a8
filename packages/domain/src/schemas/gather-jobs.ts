import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, lastTaskSchema, nameSearchSchema, timestampSchema } from './common.ts';
import { skipVersionsSchema } from './skip-versions.ts';
import { credentialNameSchema, cronSchema, httpUrlSchema, queryFlagSchema, regexSchema } from './fields.ts';
import { addIssues, throwIfIssues, type FieldIssue } from './parse.ts';

/** Where a gather job reads releases from. */
export const SOURCE_TYPE_VALUES = ['github_release', 'helm_repo', 'oci_registry', 'github_tag', 'gitlab_release', 'endoflife'] as const;
/** A gather job's source type. */
export type SourceType = (typeof SOURCE_TYPE_VALUES)[number];
/** A gather job's source type. */
export const sourceTypeSchema = z.enum(SOURCE_TYPE_VALUES);

const githubName = (field: string) =>
  z.string().trim().min(1, `${field} must not be empty`).max(100).regex(/^[A-Za-z0-9_.-]+$/, `${field} may hold letters, digits, _ . -`);

const githubReleaseShape = {
  owner: githubName('owner'),
  repo: githubName('repo'),
  baseUrl: httpUrlSchema('baseUrl').optional().describe('GitHub Enterprise API URL, e.g. https://ghe.example.com/api/v3'),
};
const helmRepoShape = {
  repoUrl: httpUrlSchema('repoUrl').describe('Helm repository URL; index.yaml is read below it'),
  chart: z.string().trim().min(1, 'chart must not be empty').max(250).regex(/^[A-Za-z0-9_.-]+$/, 'chart may hold letters, digits, _ . -'),
};
const ociRegistryShape = {
  registryUrl: httpUrlSchema('registryUrl').describe('Registry base URL, e.g. https://ghcr.io'),
  repository: z
    .string()
    .trim()
    .min(1, 'repository must not be empty')
    .max(255)
    .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, 'repository must be a lowercase OCI name such as library/nginx'),
};

const gitlabProjectShape = {
  project: z
    .string()
    .trim()
    .min(1, 'project must not be empty')
    .max(255, 'project must be at most 255 characters')
    .regex(
      /^(?:[1-9][0-9]{0,18}|(?!(?:.*\/)?\.+(?:\/|$))[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+)$/,
      'project must be a numeric project id or a path such as group/subgroup/project',
    )
    .describe('Numeric project id, or the path with its groups, e.g. gitlab-org/gitlab-runner'),
  baseUrl: httpUrlSchema('baseUrl').optional().describe('Self-hosted GitLab, e.g. https://gitlab.example.com (default https://gitlab.com); the API is read below /api/v4'),
};
const endoflifeShape = {
  product: z
    .string()
    .trim()
    .min(1, 'product must not be empty')
    .max(100, 'product must be at most 100 characters')
    .regex(/^[a-z0-9][a-z0-9._+-]*$/, 'product must be an endoflife.date product id in lower case, e.g. kubernetes or amazon-eks')
    .describe('endoflife.date product id, as in https://endoflife.date/<product>'),
  baseUrl: httpUrlSchema('baseUrl').optional().describe('A mirror of endoflife.date (default https://endoflife.date); the API is read below /api/v1'),
};

/** Source of a github_release job: `{ owner, repo, baseUrl? }`. */
export const githubReleaseSourceSchema = z.strictObject(githubReleaseShape).meta({ id: 'GithubReleaseSource' });
/** Source of a helm_repo job: `{ repoUrl, chart }`. */
export const helmRepoSourceSchema = z.strictObject(helmRepoShape).meta({ id: 'HelmRepoSource' });
/** Source of an oci_registry job: `{ registryUrl, repository }`. */
export const ociRegistrySourceSchema = z.strictObject(ociRegistryShape).meta({ id: 'OciRegistrySource' });

/** Source of a github_tag job (repositories that tag without releases): `{ owner, repo, baseUrl? }`. */
export const githubTagSourceSchema = z.strictObject(githubReleaseShape).meta({ id: 'GithubTagSource' });
/** Source of a gitlab_release job: `{ project, baseUrl? }`. */
export const gitlabReleaseSourceSchema = z.strictObject(gitlabProjectShape).meta({ id: 'GitlabReleaseSource' });
/** Source of an endoflife job: `{ product, baseUrl? }`, one release per release cycle. */
export const endoflifeSourceSchema = z.strictObject(endoflifeShape).meta({ id: 'EndoflifeSource' });

/** The source schema of each source type. */
export const gatherSourceSchemas = {
  github_release: githubReleaseSourceSchema,
  helm_repo: helmRepoSourceSchema,
  oci_registry: ociRegistrySourceSchema,
  github_tag: githubTagSourceSchema,
  gitlab_release: gitlabReleaseSourceSchema,
  endoflife: endoflifeSourceSchema,
} as const;

/** Source settings of one source type. */
export type GatherSourceOf<T extends SourceType> = z.infer<(typeof gatherSourceSchemas)[T]>;
/** Source settings of any source type. */
export type GatherSource = GatherSourceOf<SourceType>;

/** The source schema for `sourceType`. */
export function gatherSourceSchemaFor<T extends SourceType>(sourceType: T): (typeof gatherSourceSchemas)[T] {
  return gatherSourceSchemas[sourceType];
}

/** Lenient (unknown keys stripped) source schemas, for data the server hands out (task specs, responses). */
export const gatherSourceOutputSchemas = {
  github_release: z.object({ ...githubReleaseShape, baseUrl: z.string().nullish() }),
  helm_repo: z.object(helmRepoShape),
  oci_registry: z.object(ociRegistryShape),
  github_tag: z.object({ ...githubReleaseShape, baseUrl: z.string().nullish() }),
  gitlab_release: z.object({ ...gitlabProjectShape, baseUrl: z.string().nullish() }),
  endoflife: z.object({ ...endoflifeShape, baseUrl: z.string().nullish() }),
} as const;

/** Issues of `source` read as settings of `sourceType` (paths start at `source`). */
export function gatherSourceIssues(sourceType: SourceType, source: unknown): FieldIssue[] {
  const result = gatherSourceSchemas[sourceType].safeParse(source);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: ['source', ...issue.path, key], message: `is not a field of a ${sourceType} source` }))
      : [{ path: ['source', ...issue.path], message: issue.message }],
  );
}

/**
 * Checks an update's `source` against the job's stored source type (an update may send `source`
 * without `sourceType`) and returns it typed; throws `validation_failed` naming `source.*` fields.
 */
export function parseGatherSource<T extends SourceType>(sourceType: T, source: unknown): GatherSourceOf<T> {
  throwIfIssues(gatherSourceIssues(sourceType, source), 'Invalid gather job');
  return gatherSourceSchemas[sourceType].parse(source) as GatherSourceOf<T>;
}

const commonFields = {
  name: nameSchema,
  schedule: cronSchema('schedule'),
  tagFilter: regexSchema('tagFilter').nullish().describe('Only tags matching this regex are gathered'),
  credentialName: credentialNameSchema.nullish(),
  enabled: z.boolean().optional().describe('Default true'),
  skipVersions: skipVersionsSchema.optional().describe('Releases skipped for every alert config using this job'),
};

const createVariant = <T extends SourceType>(sourceType: T) =>
  z.strictObject({ ...commonFields, sourceType: z.literal(sourceType), source: gatherSourceSchemas[sourceType] });

/** `POST /gather-jobs`: `source` is discriminated by `sourceType`. */
export const gatherJobCreateSchema = z
  .discriminatedUnion('sourceType', [
    createVariant('github_release'),
    createVariant('helm_repo'),
    createVariant('oci_registry'),
    createVariant('github_tag'),
    createVariant('gitlab_release'),
    createVariant('endoflife'),
  ])
  .meta({ id: 'GatherJobCreate', description: 'A gather job: where to read upstream releases from, and when' });
/** Body of `POST /gather-jobs`. */
export type GatherJobCreate = z.infer<typeof gatherJobCreateSchema>;

/**
 * `PATCH /gather-jobs/:id`: any subset. `sourceType` requires `source` (a new type needs new
 * settings); `source` alone must match the stored type, which the service checks with
 * {@link parseGatherSource}.
 */
export const gatherJobUpdateSchema = z
  .strictObject({
    name: nameSchema.optional(),
    sourceType: sourceTypeSchema.optional(),
    source: z
      .union([githubReleaseSourceSchema, helmRepoSourceSchema, ociRegistrySourceSchema, gitlabReleaseSourceSchema, endoflifeSourceSchema], {
        error:
          'must be the settings of one source type: { owner, repo, baseUrl? }, { repoUrl, chart }, { registryUrl, repository }, { project, baseUrl? } or { product, baseUrl? }',
      })
      .optional(),
    schedule: cronSchema('schedule').optional(),
    tagFilter: commonFields.tagFilter,
    credentialName: commonFields.credentialName,
    enabled: z.boolean().optional(),
    skipVersions: commonFields.skipVersions,
  })
  .superRefine((update, ctx) => {
    if (update.sourceType === undefined) return;
    if (update.source === undefined) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'is required when sourceType is given' });
      return;
    }
    addIssues(ctx, gatherSourceIssues(update.sourceType, update.source));
  })
  .meta({ id: 'GatherJobUpdate', description: 'Any subset of a gather job; null clears tagFilter or credentialName' });
/** Body of `PATCH /gather-jobs/:id`. */
export type GatherJobUpdate = z.infer<typeof gatherJobUpdateSchema>;

/** A gather job as the API returns it. */
export const gatherJobResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    sourceType: sourceTypeSchema,
    source: z.union([
      gatherSourceOutputSchemas.github_release,
      gatherSourceOutputSchemas.helm_repo,
      gatherSourceOutputSchemas.oci_registry,
      gatherSourceOutputSchemas.gitlab_release,
      gatherSourceOutputSchemas.endoflife,
    ]),
    schedule: z.string(),
    tagFilter: z.string().nullable(),
    credentialName: z.string().nullable(),
    enabled: z.boolean(),
    skipVersions: z.array(z.object({ versions: z.string(), reason: z.string() })),
    nextRunAt: timestampSchema.nullable(),
    lastRunAt: timestampSchema.nullable(),
    helmSyncJobId: idSchema.nullable().describe('Set when a helm sync job created this job'),
    blockedReason: z.string().nullable().describe('Why no agent can take its pending task now (no online, non-draining agent with the capability or the credential); null when it can be taken or none is pending'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    lastTask: lastTaskSchema.nullable().optional().describe('The latest task of the job (on get and list): status, error, completedAt; null before the first run'),
  })
  .meta({ id: 'GatherJob' });
/** A gather job as the API returns it. */
export type GatherJobResponse = z.infer<typeof gatherJobResponseSchema>;

/** `GET /gather-jobs` query: `?sourceType=`, `?enabled=`, `?helmSyncJobId=` (the jobs a helm sync made). */
export const gatherJobListQuerySchema = z.strictObject({
  q: nameSearchSchema,
  ...listQueryShape,
  sourceType: sourceTypeSchema.optional(),
  enabled: queryFlagSchema('Only enabled (true) or disabled (false) jobs'),
  helmSyncJobId: idSchema.optional().describe('Only the jobs this helm sync job created'),
});
/** `GET /gather-jobs` query. */
export type GatherJobListQuery = z.infer<typeof gatherJobListQuerySchema>;

const dateSchema = z.iso.date({ message: 'must be a date, YYYY-MM-DD' });

/**
 * A release cycle as endoflife.date describes it, stored with the release of its latest version
 * so rules can read support and end-of-life dates. Dates are calendar dates (YYYY-MM-DD); a flag
 * may be true while its date is unknown (`eol: true`, `eolDate: null`).
 */
export const releaseCycleSchema = z
  .strictObject({
    name: z.string().min(1).max(100).describe('The cycle, e.g. 1.31 or 22.04'),
    label: z.string().max(200).nullable(),
    releaseDate: dateSchema.nullable().describe('When the cycle was first released'),
    latestVersion: z.string().max(256).nullable(),
    latestDate: dateSchema.nullable().describe('When its latest version was released'),
    lts: z.boolean(),
    supportEnds: dateSchema.nullable().describe('End of active support (endoflife.date eoasFrom)'),
    supportEnded: z.boolean(),
    eolDate: dateSchema.nullable().describe('End of life: no more security fixes (endoflife.date eolFrom)'),
    eol: z.boolean(),
    extendedSupportEnds: dateSchema.nullable().describe('End of paid extended support (endoflife.date eoesFrom)'),
    maintained: z.boolean(),
  })
  .meta({ id: 'ReleaseCycle' });
/** A release cycle with its support and end-of-life dates. */
export type ReleaseCycle = z.infer<typeof releaseCycleSchema>;

/** A gathered release as the API returns it. */
export const releaseResponseSchema = z
  .object({
    id: idSchema,
    gatherJobId: idSchema,
    tag: z.string(),
    publishedAt: timestampSchema.nullable(),
    prerelease: z.boolean(),
    url: z.string().nullable(),
    firstSeenAt: timestampSchema,
    digest: z.string().nullable().describe('Image digest of the tag, where the OCI gather read its manifest'),
    cycle: releaseCycleSchema.nullable().describe('endoflife jobs: the release cycle this release is the latest of'),
  })
  .meta({ id: 'Release' });
/** A gathered release as the API returns it. */
export type ReleaseResponse = z.infer<typeof releaseResponseSchema>;

/** `GET /gather-jobs/:id/releases` query: `?prerelease=`. */
export const releaseListQuerySchema = z.strictObject({
  ...listQueryShape,
  prerelease: queryFlagSchema('Only prereleases (true) or only releases the source did not flag as such (false)'),
});
/** `GET /gather-jobs/:id/releases` query. */
export type ReleaseListQuery = z.infer<typeof releaseListQuerySchema>;
