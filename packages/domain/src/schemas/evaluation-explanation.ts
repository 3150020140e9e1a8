import { z } from 'zod';
import { DEPLOYED_RESOLUTIONS, SKIP_REASONS } from '../versions/index.ts';
import { timestampSchema } from './common.ts';

const explainedRelease = {
  tag: z.string().describe('As gathered, e.g. v3.1.2'),
  version: z.string().describe('Canonical, without prefix: 3.1.2, 17.0.0+20240924'),
};

/** Why an evaluation gave its answer (stored in an evaluation's details). */
export const evaluationExplanationSchema = z
  .object({
    family: z.string().nullable().describe('Prefix family compared within: "" for v or no prefix; null when the deployed version did not parse'),
    familyChosenBy: z
      .enum(['deployed', 'only_family'])
      .nullable()
      .describe('deployed: the deployed version\'s own family; only_family: the only family the gathered tags form'),
    variant: z.string().nullable().describe('Variant compared within, "" for none'),
    stableOnly: z.boolean(),
    deployed: z
      .object({
        ...explainedRelease,
        resolvedAs: z
          .enum(DEPLOYED_RESOLUTIONS)
          .describe('release: that release; newest_build: a build-less version taken as its newest build; line_alias: a two-part version taken as its line\'s highest release'),
        carriedBy: z.array(z.string()).describe('Tags carrying that release (its date is the earliest of theirs), at most 5'),
      })
      .nullable()
      .describe('The gathered release taken as the deployed one'),
    latest: z.object(explainedRelease).nullable(),
    counted: z.number().int().describe('Tags that counted as eligible releases of the family and variant'),
    skipped: z
      .array(
        z.object({
          reason: z.enum(SKIP_REASONS),
          count: z.number().int(),
          sample: z.array(z.string()).describe('At most 5 of them: the highest versions, or the most recent tags'),
        }),
      )
      .describe('Tags that took no part, by the first reason that applies; only reasons with tags'),
    countedFrom: z
      .object({ source: z.enum(['published', 'first_seen']), tag: z.string(), at: timestampSchema })
      .nullable()
      .describe('days_behind: the date days were counted from, and the tag it came from'),
  })
  .meta({ id: 'EvaluationExplanation' });
