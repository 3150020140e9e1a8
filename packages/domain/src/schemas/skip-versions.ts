import { z } from 'zod';
import { parseSkipVersions } from '../versions/index.ts';

/** Most skip entries one alert config or gather job holds. */
export const SKIP_VERSIONS_MAX = 50;

/**
 * `skipVersions` on alert configs and gather jobs: releases never latest and never counted. A
 * `versions` that does not read in the domain's version grammar is refused, naming the entry
 * (`skipVersions.0.versions`).
 */
export const skipVersionsSchema = z
  .array(
    z.strictObject({
      versions: z
        .string()
        .max(200, 'versions must be at most 200 characters')
        .superRefine((text, ctx) => {
          const parsed = parseSkipVersions(text);
          if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
        })
        .describe('One version (`2.5.0`) or comparators that must all hold (`>=3.0.0 <3.0.2`)'),
      reason: z.string().max(500, 'reason must be at most 500 characters').default('').describe('Why it is skipped (shown in the evaluation)'),
    }),
  )
  .max(SKIP_VERSIONS_MAX, `at most ${SKIP_VERSIONS_MAX} skip entries`)
  .meta({ id: 'SkipVersions', description: 'Releases skipped: never latest, never counted' });

/** What an evaluation lists of one skipped release. */
export const skippedReleaseSchema = z.object({ tag: z.string(), versions: z.string(), reason: z.string() }).meta({ id: 'SkippedRelease' });
