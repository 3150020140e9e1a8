import { z } from 'zod';
import { idSchema, listQueryShape, timestampSchema } from './common.ts';
import { clusterTargetOutputSchemas } from './cluster-targets.ts';
import { gatherSourceOutputSchemas } from './gather-jobs.ts';

/** What a task does; also an agent capability. */
export const TASK_KIND_VALUES = ['gather', 'scrape', 'helm_sync'] as const;
/** A task kind. */
export type TaskKind = (typeof TASK_KIND_VALUES)[number];
/** A task kind. */
export const taskKindSchema = z.enum(TASK_KIND_VALUES);

/** Lifecycle of a task. */
export const TASK_STATUS_VALUES = ['pending', 'claimed', 'succeeded', 'failed'] as const;
/** A task status. */
export type TaskStatus = (typeof TASK_STATUS_VALUES)[number];
/** A task status. */
export const taskStatusSchema = z.enum(TASK_STATUS_VALUES);

// Specs are written by the server and read by agents, so unknown keys are stripped, not refused:
// a newer server may add fields without breaking older agents.
const gatherSpecFields = {
  tagFilter: z.string().nullable(),
  etag: z.string().nullable().describe('ETag of the last answer, for a conditional request'),
};

/** What an agent needs to run a gather task: the job's source settings. */
export const gatherTaskSpecSchema = z
  .discriminatedUnion('sourceType', [
    z.object({ sourceType: z.literal('github_release'), source: gatherSourceOutputSchemas.github_release, ...gatherSpecFields }),
    z.object({ sourceType: z.literal('helm_repo'), source: gatherSourceOutputSchemas.helm_repo, ...gatherSpecFields }),
    z.object({ sourceType: z.literal('oci_registry'), source: gatherSourceOutputSchemas.oci_registry, ...gatherSpecFields }),
    z.object({ sourceType: z.literal('github_tag'), source: gatherSourceOutputSchemas.github_tag, ...gatherSpecFields }),
    z.object({ sourceType: z.literal('gitlab_release'), source: gatherSourceOutputSchemas.gitlab_release, ...gatherSpecFields }),
    z.object({ sourceType: z.literal('endoflife'), source: gatherSourceOutputSchemas.endoflife, ...gatherSpecFields }),
  ])
  .meta({ id: 'GatherTaskSpec' });
/** Spec of a gather task. */
export type GatherTaskSpec = z.infer<typeof gatherTaskSpecSchema>;

/** What an agent needs to read a file from git. */
export const gitScrapeTaskSpecSchema = z.object({
  repoUrl: z.string(),
  ref: z.string().nullable(),
  filePath: z.string(),
  parser: z.enum(['yq', 'jq', 'regex']),
  expression: z.string(),
});
/** Spec of a scrape task that reads a file from git. */
export type GitScrapeTaskSpec = z.infer<typeof gitScrapeTaskSpecSchema>;

/**
 * What an agent needs to run a scrape task: a file from git, or (routed by the task's credential
 * name to an agent in that cluster) workloads or a Helm release of its cluster.
 */
export const scrapeTaskSpecSchema = z
  .discriminatedUnion('parser', [
    gitScrapeTaskSpecSchema,
    z.object({ parser: z.literal('kubernetes'), kubernetes: clusterTargetOutputSchemas.kubernetes }),
    z.object({ parser: z.literal('helm_release'), helmRelease: clusterTargetOutputSchemas.helmRelease }),
  ])
  .meta({ id: 'ScrapeTaskSpec' });
/** Spec of a scrape task. */
export type ScrapeTaskSpec = z.infer<typeof scrapeTaskSpecSchema>;

/** What an agent needs to run a helm_sync task. */
export const helmSyncTaskSpecSchema = z
  .object({ repoUrl: z.string(), chartFilter: z.string().nullable() })
  .meta({ id: 'HelmSyncTaskSpec' });
/** Spec of a helm_sync task. */
export type HelmSyncTaskSpec = z.infer<typeof helmSyncTaskSpecSchema>;

/** The spec schema of each task kind. */
export const taskSpecSchemas = {
  gather: gatherTaskSpecSchema,
  scrape: scrapeTaskSpecSchema,
  helm_sync: helmSyncTaskSpecSchema,
} as const;

/** The spec schema for `kind`. */
export function taskSpecSchemaFor<K extends TaskKind>(kind: K): (typeof taskSpecSchemas)[K] {
  return taskSpecSchemas[kind];
}

/** A task as the automation API returns it (never its lease token). */
export const taskResponseSchema = z
  .object({
    id: idSchema,
    kind: taskKindSchema,
    jobId: idSchema,
    status: taskStatusSchema,
    credentialName: z.string().nullable(),
    scheduledAt: timestampSchema,
    claimedBy: idSchema.nullable().describe('Agent id'),
    claimedAt: timestampSchema.nullable(),
    leaseExpiresAt: timestampSchema.nullable(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    completedAt: timestampSchema.nullable(),
    blockedReason: z.string().nullable().describe('Why no agent can take its pending task now (no online, non-draining agent with the capability or the credential); null when it can be taken or none is pending'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Task' });
/** A task as the API returns it. */
export type TaskResponse = z.infer<typeof taskResponseSchema>;

/** `GET /tasks` query: `?jobId=`, `?status=`, `?kind=`. */
export const taskListQuerySchema = z.strictObject({
  ...listQueryShape,
  jobId: idSchema.optional(),
  status: taskStatusSchema.optional(),
  kind: taskKindSchema.optional(),
});
/** `GET /tasks` query. */
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;
