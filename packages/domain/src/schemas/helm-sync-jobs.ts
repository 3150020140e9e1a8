import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, lastTaskSchema, nameSearchSchema, timestampSchema } from './common.ts';
import { credentialNameSchema, cronSchema, httpUrlSchema, queryFlagSchema, regexSchema } from './fields.ts';

const fields = {
  name: nameSchema,
  repoUrl: httpUrlSchema('repoUrl').describe('Helm repository URL; index.yaml is read below it'),
  chartFilter: regexSchema('chartFilter').nullish().describe('Only charts whose name matches are synced'),
  schedule: cronSchema('schedule'),
  credentialName: credentialNameSchema.nullish(),
  enabled: z.boolean().optional(),
  gatherSchedule: cronSchema('gatherSchedule').optional().describe('Schedule of the gather jobs the sync creates'),
};

/** `POST /helm-sync-jobs`: discover a Helm repository's charts and keep a gather job per chart. */
export const helmSyncJobCreateSchema = z
  .strictObject(fields)
  .meta({ id: 'HelmSyncJobCreate', description: 'A helm sync job: creates/updates gather jobs for the charts of a Helm repository' });
/** Body of `POST /helm-sync-jobs`. */
export type HelmSyncJobCreate = z.infer<typeof helmSyncJobCreateSchema>;

/** `PATCH /helm-sync-jobs/:id`: any subset; null clears chartFilter or credentialName. */
export const helmSyncJobUpdateSchema = z
  .strictObject({
    ...fields,
    name: fields.name.optional(),
    repoUrl: fields.repoUrl.optional(),
    schedule: fields.schedule.optional(),
  })
  .meta({ id: 'HelmSyncJobUpdate' });
/** Body of `PATCH /helm-sync-jobs/:id`. */
export type HelmSyncJobUpdate = z.infer<typeof helmSyncJobUpdateSchema>;

/** A helm sync job as the API returns it. */
export const helmSyncJobResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    repoUrl: z.string(),
    chartFilter: z.string().nullable(),
    schedule: z.string(),
    gatherSchedule: z.string(),
    credentialName: z.string().nullable(),
    enabled: z.boolean(),
    nextRunAt: timestampSchema.nullable(),
    lastRunAt: timestampSchema.nullable(),
    blockedReason: z.string().nullable().describe('Why no agent can take its pending task now (no online, non-draining agent with the capability or the credential); null when it can be taken or none is pending'),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    lastTask: lastTaskSchema.nullable().optional().describe('The latest task of the job (on get and list): status, error, completedAt; null before the first run'),
  })
  .meta({ id: 'HelmSyncJob' });
/** A helm sync job as the API returns it. */
export type HelmSyncJobResponse = z.infer<typeof helmSyncJobResponseSchema>;

/** `GET /helm-sync-jobs` query. */
export const helmSyncJobListQuerySchema = z.strictObject({ ...listQueryShape, q: nameSearchSchema, enabled: queryFlagSchema('Only enabled (true) or disabled (false) jobs') });
/** `GET /helm-sync-jobs` query. */
export type HelmSyncJobListQuery = z.infer<typeof helmSyncJobListQuerySchema>;
