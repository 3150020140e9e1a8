import { z } from 'zod';
import { idSchema, listQueryShape, severitySchema, timestampSchema } from './common.ts';
import { evaluationStatusSchema } from './evaluations.ts';
import { sourceTypeSchema } from './gather-jobs.ts';
import { ruleTypeSchema } from './rules.ts';

/** Where one deployment stands against its upstream. */
export const DEPLOYMENT_STATES = ['on_latest', 'behind', 'unknown'] as const;

/** `?status=`: deployments on the latest, behind, unknown, past end of life, or violating their rule (an alert). */
export const UPSTREAM_STATUS_FILTERS = [...DEPLOYMENT_STATES, 'past_eol', 'violating'] as const;

const countsSchema = z.object({
  deployments: z.number().int(),
  onLatest: z.number().int(),
  behind: z.number().int(),
  unknown: z.number().int(),
  pastEol: z.number().int(),
  violating: z.number().int(),
  libyear: z.number().describe('Sum of the deployments\' libyears (those with dates on both sides)'),
});

/** One upstream (a gather job) across every deployment compared with it. */
export const upstreamResponseSchema = z
  .object({
    id: idSchema.describe('The gather job\'s id'),
    gatherJobId: idSchema,
    name: z.string(),
    sourceType: sourceTypeSchema,
    latestVersion: z.string().nullable().describe('The latest version its evaluations found (the highest tag among them)'),
    counts: countsSchema,
  })
  .meta({ id: 'Upstream' });
/** An upstream as the API returns it. */
export type UpstreamResponse = z.infer<typeof upstreamResponseSchema>;

/** One deployment of an upstream: an alert config and its latest evaluation. */
export const upstreamDeploymentSchema = z
  .object({
    alertConfigId: idSchema,
    alertConfigName: z.string(),
    enabled: z.boolean(),
    ruleType: ruleTypeSchema,
    state: z.enum(DEPLOYMENT_STATES),
    status: evaluationStatusSchema.nullable().describe('Null until first evaluated'),
    reason: z.string().nullable(),
    deployedVersion: z.string().nullable(),
    latestVersion: z.string().nullable(),
    behindBy: z.number().nullable(),
    severity: severitySchema.nullable(),
    libyear: z.number().nullable(),
    eol: z.object({ cycle: z.string(), eolDate: z.string().nullable(), daysLeft: z.number().int().nullable() }).nullable(),
    evaluatedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'UpstreamDeployment' });

/** `GET /upstreams/:gatherJobId`: the upstream with every deployment's version and lag. */
export const upstreamDetailResponseSchema = upstreamResponseSchema
  .extend({ deployments: z.array(upstreamDeploymentSchema) })
  .meta({ id: 'UpstreamDetail' });
/** An upstream with its deployments. */
export type UpstreamDetailResponse = z.infer<typeof upstreamDetailResponseSchema>;

const statusFilter = z.enum(UPSTREAM_STATUS_FILTERS).optional().describe('Only deployments (and upstreams with deployments) in this state');

/** `GET /upstreams` query: `?q=` (gather job or alert config name contains), `?status=`. */
export const upstreamListQuerySchema = z.strictObject({
  ...listQueryShape,
  q: z.string().min(1).max(200, 'q must be at most 200 characters').optional().describe('Search: the gather job\'s or an alert config\'s name contains it (any case)'),
  status: statusFilter,
});
/** `GET /upstreams` query. */
export type UpstreamListQuery = z.infer<typeof upstreamListQuerySchema>;

/** `GET /upstreams/:gatherJobId` query. */
export const upstreamDetailQuerySchema = z.strictObject({ status: statusFilter });

/** `GET /upstreams`: the page, and the organization's totals over every upstream (libyear summed). */
export const upstreamListResponseSchema = z
  .object({
    items: z.array(upstreamResponseSchema),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
    totals: countsSchema.describe('The whole organization, every upstream (not only this page or filter)'),
  })
  .meta({ id: 'UpstreamList' });
