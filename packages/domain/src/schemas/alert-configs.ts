import { z } from 'zod';
import { idSchema, listQueryShape, nameSchema, nameSearchSchema, timestampSchema } from './common.ts';
import { queryFlagSchema } from './fields.ts';
import { skipVersionsSchema } from './skip-versions.ts';

const fields = {
  name: nameSchema,
  gatherJobId: idSchema.describe('Where the latest upstream version comes from'),
  scrapeJobId: idSchema.describe('Where the deployed version comes from'),
  ruleId: idSchema,
  enabled: z.boolean().optional(),
  skipVersions: skipVersionsSchema.optional(),
  eolGatherJobId: idSchema.nullish().describe('An endoflife gather job whose release cycles give the deployed version\'s end of life (eol rules; shown on every evaluation)'),
};

/** `POST /alert-configs`: ties a gather job, a scrape job and a rule together. */
export const alertConfigCreateSchema = z
  .strictObject(fields)
  .meta({ id: 'AlertConfigCreate', description: 'Compares a scrape job against a gather job with a rule' });
/** Body of `POST /alert-configs`. */
export type AlertConfigCreate = z.infer<typeof alertConfigCreateSchema>;

/** `PATCH /alert-configs/:id`: any subset. */
export const alertConfigUpdateSchema = z
  .strictObject({
    name: fields.name.optional(),
    gatherJobId: fields.gatherJobId.optional(),
    scrapeJobId: fields.scrapeJobId.optional(),
    ruleId: fields.ruleId.optional(),
    enabled: fields.enabled,
    skipVersions: fields.skipVersions,
    eolGatherJobId: fields.eolGatherJobId,
  })
  .meta({ id: 'AlertConfigUpdate' });
/** Body of `PATCH /alert-configs/:id`. */
export type AlertConfigUpdate = z.infer<typeof alertConfigUpdateSchema>;

/** An alert config as the API returns it. */
export const alertConfigResponseSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    gatherJobId: idSchema,
    scrapeJobId: idSchema,
    ruleId: idSchema,
    enabled: z.boolean(),
    skipVersions: z.array(z.object({ versions: z.string(), reason: z.string() })),
    eolGatherJobId: idSchema.nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'AlertConfig' });
/** An alert config as the API returns it. */
export type AlertConfigResponse = z.infer<typeof alertConfigResponseSchema>;

/** `GET /alert-configs` query: `?gatherJobId=`, `?scrapeJobId=`, `?ruleId=`, `?enabled=`. */
export const alertConfigListQuerySchema = z.strictObject({
  q: nameSearchSchema,
  ...listQueryShape,
  gatherJobId: idSchema.optional(),
  scrapeJobId: idSchema.optional(),
  ruleId: idSchema.optional(),
  enabled: queryFlagSchema('Only enabled (true) or disabled (false) configs'),
});
/** `GET /alert-configs` query. */
export type AlertConfigListQuery = z.infer<typeof alertConfigListQuerySchema>;
