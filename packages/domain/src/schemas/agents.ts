import { z } from 'zod';
import { AGENT_LIVENESS_VALUES, MAX_ROUND_TRIP_MS } from '../agents/health.ts';
import { idSchema, listQueryShape, nameSchema, nameSearchSchema, timestampSchema, unlessMissing } from './common.ts';
import { credentialNameSchema } from './fields.ts';
import { imageDigestSchema, scrapeDetailsSchema } from './cluster-targets.ts';
import { releaseCycleSchema } from './gather-jobs.ts';
import { gatherTaskSpecSchema, helmSyncTaskSpecSchema, scrapeTaskSpecSchema, taskKindSchema, type TaskKind } from './tasks.ts';

/** Most tasks one claim may return. */
export const CLAIM_MAX_TASKS = 50;
/** Longest long-poll wait of a claim, in seconds. */
export const CLAIM_MAX_WAIT_SECONDS = 60;

const leaseTokenSchema = z.guid({ error: unlessMissing('leaseToken must be the UUID the claim returned') });

const distinct = <T extends z.ZodType>(item: T, field: string, max: number) =>
  z
    .array(item)
    .max(max, `${field} must list at most ${max} values`)
    .refine((values) => new Set(values).size === values.length, `${field} must not repeat a value`);

const finite = (field: string, max: number) => z.number({ error: unlessMissing(`${field} must be a number`) }).min(0, `${field} must not be negative`).max(max, `${field} must be at most ${max}`);

/** The health sample a heartbeat carries; every figure is bounded, none is trusted beyond that. */
export const agentHealthSampleSchema = z
  .strictObject({
    cpuPercent: finite('health.cpuPercent', 100_000).describe('CPU of the agent process since its previous heartbeat, % of one core'),
    rssBytes: finite('health.rssBytes', 2 ** 50).int('health.rssBytes must be an integer').describe('Resident memory of the agent process'),
    loadAverage: z.array(finite('health.loadAverage', 1_000_000)).length(3, 'health.loadAverage must list the 1, 5 and 15 minute load').describe('Host load average: 1, 5, 15 minutes'),
    cacheFreeBytes: finite('health.cacheFreeBytes', 2 ** 62).int().nullable().describe('Free bytes of the file system of AGENT_CACHE_DIR; null when it cannot be read'),
    runningTasks: z.number().int().min(0, 'health.runningTasks must not be negative').max(1000),
  })
  .meta({ id: 'AgentHealthSample' });
/** The health sample of a heartbeat. */
export type AgentHealthSample = z.infer<typeof agentHealthSampleSchema>;

/** `POST /agent/heartbeat`: registers or refreshes an agent, identified by organization and name. */
export const agentHeartbeatSchema = z
  .strictObject({
    name: nameSchema,
    version: z.string().trim().min(1).max(100),
    hostname: z.string().trim().min(1).max(255),
    capabilities: distinct(taskKindSchema, 'capabilities', 3).min(1, 'capabilities must list at least one task kind'),
    credentials: distinct(credentialNameSchema, 'credentials', 200).describe('Credential names only, never secrets'),
    maxConcurrentTasks: z.number().int('maxConcurrentTasks must be an integer').min(1).max(1000),
    instanceId: z.guid({ error: unlessMissing('instanceId must be a UUID') }).optional().describe('Random per process start: a new one is a restart (what the previous process held is released), alternating ones are two processes under one name'),
    clock: z
      .number()
      .int('clock must be an integer (milliseconds since the epoch)')
      .min(0, 'clock must not be negative')
      .max(8.64e15, 'clock is not a time')
      .optional()
      .describe("The agent's clock when it sent this heartbeat, milliseconds since the epoch (refused when more than 24 h from the server's)"),
    roundTripMs: z.number().int().min(0, 'roundTripMs must not be negative').max(MAX_ROUND_TRIP_MS, `roundTripMs must be at most ${MAX_ROUND_TRIP_MS}`).nullish().describe('Round trip of the previous heartbeat as the agent measured it; corrects the clock skew for the network delay'),
    health: agentHealthSampleSchema.optional(),
  })
  .refine((beat) => beat.health === undefined || beat.health.runningTasks <= beat.maxConcurrentTasks, { path: ['health', 'runningTasks'], message: 'health.runningTasks must be at most maxConcurrentTasks' })
  .meta({ id: 'AgentHeartbeat' });
/** Body of `POST /agent/heartbeat`. */
export type AgentHeartbeat = z.infer<typeof agentHeartbeatSchema>;

/** The answer to a heartbeat. */
export const agentHeartbeatResponseSchema = z
  .object({
    agentId: idSchema,
    pollIntervalSeconds: z.number().int(),
    serverTime: timestampSchema,
    clockSkewSeconds: z.number().nullable().optional().describe("The agent's clock minus the server's, as the server measured it"),
    warnings: z.array(z.string()).optional().describe('What the operator should know about this agent (clock skew, duplicate instances); the agent logs them'),
  })
  .meta({ id: 'AgentHeartbeatResponse' });
/** The answer to a heartbeat. */
export type AgentHeartbeatResponse = z.infer<typeof agentHeartbeatResponseSchema>;

/** `POST /agent/tasks/claim`: up to `max` tasks, waiting up to `wait` seconds (0 answers at once). */
export const taskClaimSchema = z
  .strictObject({
    agentId: idSchema,
    max: z.number().int('max must be an integer').min(1, 'max must be at least 1').max(CLAIM_MAX_TASKS, `max must be at most ${CLAIM_MAX_TASKS}`).default(1),
    wait: z.number().min(0, 'wait must be at least 0').max(CLAIM_MAX_WAIT_SECONDS, `wait must be at most ${CLAIM_MAX_WAIT_SECONDS}`).default(0),
  })
  .meta({ id: 'TaskClaim' });
/** Body of `POST /agent/tasks/claim`. */
export type TaskClaim = z.infer<typeof taskClaimSchema>;

const claimedFields = {
  id: idSchema,
  jobId: idSchema,
  leaseToken: idSchema,
  leaseExpiresAt: timestampSchema,
  credentialName: z.string().nullable(),
};

/** A claimed task; `spec` depends on `kind`. */
export const claimedTaskSchema = z
  .discriminatedUnion('kind', [
    z.object({ ...claimedFields, kind: z.literal('gather'), spec: gatherTaskSpecSchema }),
    z.object({ ...claimedFields, kind: z.literal('scrape'), spec: scrapeTaskSpecSchema }),
    z.object({ ...claimedFields, kind: z.literal('helm_sync'), spec: helmSyncTaskSpecSchema }),
  ])
  .meta({ id: 'ClaimedTask' });
/** A claimed task. */
export type ClaimedTask = z.infer<typeof claimedTaskSchema>;

/** The 200 answer to a claim (204 when there is nothing). */
export const taskClaimResponseSchema = z.object({ tasks: z.array(claimedTaskSchema) }).meta({ id: 'TaskClaimResponse' });
/** The 200 answer to a claim. */
export type TaskClaimResponse = z.infer<typeof taskClaimResponseSchema>;

/** `POST /agent/tasks/:id/lease`: extends the lease. */
export const taskLeaseSchema = z.strictObject({ leaseToken: leaseTokenSchema }).meta({ id: 'TaskLease' });
/** Body of `POST /agent/tasks/:id/lease`. */
export type TaskLease = z.infer<typeof taskLeaseSchema>;

/** The answer to a lease extension. */
export const taskLeaseResponseSchema = z.object({ leaseExpiresAt: timestampSchema }).meta({ id: 'TaskLeaseResponse' });

/** Result of a gather task: the releases found (all of them, or none with notModified). */
export const gatherResultSchema = z
  .strictObject({
    releases: z
      .array(
        z.strictObject({
          tag: z.string().min(1, 'tag must not be empty').max(256),
          publishedAt: timestampSchema.nullable().describe('Null when the source has no date (most OCI tags)'),
          prerelease: z.boolean(),
          url: z.string().max(2048).nullish(),
          digest: imageDigestSchema.nullish().describe('oci_registry: the digest of the tag, where its manifest was read'),
          cycle: releaseCycleSchema.nullish().describe('endoflife: the release cycle whose latest version this is'),
        }),
      )
      .max(50_000, 'releases must list at most 50000 releases'),
    etag: z.string().max(1000).nullish(),
    notModified: z.boolean().optional().describe('The source answered 304 to the stored ETag; releases is empty'),
  })
  .meta({ id: 'GatherResult' });
/** Result of a gather task. */
export type GatherResult = z.infer<typeof gatherResultSchema>;

/**
 * What the api stores as a gather task's result in place of a release list that is the one last
 * ingested for the job (its digest is the job's `releases_digest`): how many releases it listed,
 * its digest, and the ETag it came with. The taskengine ingests it as unchanged when the job's
 * digest is still that one. Agents never send it: it is not a `TaskResultBody`.
 */
export const unchangedGatherResultSchema = z.strictObject({
  unchanged: z.literal(true),
  releaseCount: z.number().int().min(0),
  releasesDigest: z.string().min(1).max(200),
  etag: z.string().max(1000).nullish(),
});
/** A gather result stored as unchanged. */
export type UnchangedGatherResult = z.infer<typeof unchangedGatherResultSchema>;

/** A gather task's result as stored (`tasks.result`): the agent's, or the api's unchanged one. */
export const storedGatherResultSchema = z.union([gatherResultSchema, unchangedGatherResultSchema]);
/** A gather task's result as stored. */
export type StoredGatherResult = z.infer<typeof storedGatherResultSchema>;

/** Result of a scrape task: the version read from the file, or from the cluster. */
export const scrapeResultSchema = z
  .strictObject({
    version: z.string().trim().min(1, 'version must not be empty').max(200).describe('The deployed version; an image pinned by digest only reports its digest'),
    raw: z.string().max(10_000).nullable().describe('The matched text, or what was read in the cluster'),
    commitSha: z.string().regex(/^[0-9a-f]{7,64}$/i, 'commitSha must be a hex commit id').nullable(),
    imageDigest: imageDigestSchema.nullish().describe('kubernetes: the digest of the image reported, when its reference carries one'),
    details: scrapeDetailsSchema.nullish(),
  })
  .meta({ id: 'ScrapeResult' });
/** Result of a scrape task. */
export type ScrapeResult = z.infer<typeof scrapeResultSchema>;

/** Result of a helm_sync task: the charts of the repository and their versions. */
export const helmSyncResultSchema = z
  .strictObject({
    charts: z
      .array(z.strictObject({ name: z.string().min(1).max(250), versions: z.array(z.string().min(1).max(256)).max(50_000) }))
      .max(10_000),
  })
  .meta({ id: 'HelmSyncResult' });
/** Result of a helm_sync task. */
export type HelmSyncResult = z.infer<typeof helmSyncResultSchema>;

/** The result schema of each task kind. */
export const taskResultSchemas = {
  gather: gatherResultSchema,
  scrape: scrapeResultSchema,
  helm_sync: helmSyncResultSchema,
} as const;

/** A task result of kind `K`. */
export type TaskResultOf<K extends TaskKind> = z.infer<(typeof taskResultSchemas)[K]>;

/** The result schema for a task of `kind`: the api parses `result` with it once it knows the task. */
export function taskResultSchemaFor<K extends TaskKind>(kind: K): (typeof taskResultSchemas)[K] {
  return taskResultSchemas[kind];
}

/**
 * `POST /agent/tasks/:id/result`. `result` is any of the three shapes here (their keys do not
 * overlap); the api then checks that it is of the task's kind with {@link taskResultKind}.
 */
export const taskResultBodySchema = z
  .strictObject({
    leaseToken: leaseTokenSchema,
    result: z.union([gatherResultSchema, scrapeResultSchema, helmSyncResultSchema], {
      error: 'result must be a gather { releases }, scrape { version, raw, commitSha } or helm_sync { charts } result',
    }),
  })
  .meta({ id: 'TaskResultBody' });
/** Body of `POST /agent/tasks/:id/result`. */
export type TaskResultBody = z.infer<typeof taskResultBodySchema>;

/**
 * The kind of a result `taskResultBodySchema` accepted. Each shape is a strict object with a
 * required key none of the others allows (releases, version, charts), so that key alone tells,
 * and the result need not be validated a second time against its kind's schema (for 20,000
 * releases that is some 17 ms of the api's CPU).
 */
export function taskResultKind(result: TaskResultBody['result']): TaskKind {
  if ('releases' in result) return 'gather';
  if ('charts' in result) return 'helm_sync';
  return 'scrape';
}

/** `POST /agent/tasks/:id/failure`. */
export const taskFailureBodySchema = z
  .strictObject({
    leaseToken: leaseTokenSchema,
    error: z.strictObject({
      message: z.string().trim().min(1, 'error.message must not be empty').max(4000),
      retryable: z.boolean().describe('True when running the task again may succeed'),
    }),
  })
  .meta({ id: 'TaskFailureBody' });
/** Body of `POST /agent/tasks/:id/failure`. */
export type TaskFailureBody = z.infer<typeof taskFailureBodySchema>;

/** An agent as the automation API returns it. */
export const agentResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    hostname: z.string(),
    version: z.string(),
    capabilities: z.array(taskKindSchema),
    credentials: z.array(z.string()),
    maxConcurrentTasks: z.number().int(),
    lastHeartbeatAt: timestampSchema,
    online: z.boolean().describe('A heartbeat within AGENT_OFFLINE_AFTER_SECONDS'),
    status: z.enum(AGENT_LIVENESS_VALUES).describe('online; stale once a heartbeat is missed (AGENT_STALE_AFTER_SECONDS); offline from AGENT_OFFLINE_AFTER_SECONDS'),
    draining: z.boolean().describe('Drained agents get no new tasks'),
    instanceId: idSchema.nullable().describe('The process that sent the last heartbeat'),
    duplicateInstances: z.boolean().describe('Two or more live processes share this agent (their instance ids alternate)'),
    clockSkewSeconds: z.number().nullable().describe("The agent's clock minus the server's at its last heartbeat, corrected for half the round trip; null when it did not send its clock"),
    health: agentHealthSampleSchema.extend({ sampledAt: timestampSchema }).nullable().describe('The latest health sample; null for agents that send none'),
    warnings: z.array(z.string()).describe('Clock skew beyond 30 s, duplicate instances'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Agent' });
/** An agent as the API returns it. */
export type AgentResponse = z.infer<typeof agentResponseSchema>;

/** `GET /agents` query. */
export const agentListQuerySchema = z.strictObject({ ...listQueryShape, q: nameSearchSchema });
/** `GET /agents` query. */
export type AgentListQuery = z.infer<typeof agentListQuerySchema>;
