import { z } from 'zod';
import { UNPARSEABLE_REASONS, VERSION_TAG_MAX_LENGTH } from '../versions/index.ts';
import { timestampSchema, unlessMissing } from './common.ts';
import { evaluationExplanationSchema } from './evaluation-explanation.ts';
import { evaluationStatusSchema } from './evaluations.ts';

/** Most tags one parse preview takes. */
export const VERSION_PREVIEW_MAX_TAGS = 10_000;

const tagText = (field: string) =>
  z
    .string({ error: unlessMissing(`${field} must be a string`) })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(VERSION_TAG_MAX_LENGTH, `${field} must be at most ${VERSION_TAG_MAX_LENGTH} characters`);

/** A tag to preview: its text, or its text with what a source would say of it. */
export const versionPreviewTagSchema = z.union(
  [
    tagText('tag'),
    z.strictObject({
      tag: tagText('tag'),
      publishedAt: timestampSchema.nullish().describe('When the source published it; lets daysBehind be counted'),
      prerelease: z.boolean().optional().describe('The source flags it as a prerelease (as GitHub can)'),
    }),
  ],
  { error: 'each tag must be a string or an object { tag, publishedAt?, prerelease? }' },
);

/** `POST /versions/parse`: how each tag parses and, with a deployed version, how far behind it is. */
export const versionPreviewRequestSchema = z
  .strictObject({
    tags: z
      .array(versionPreviewTagSchema, { error: unlessMissing('tags must be an array') })
      .max(VERSION_PREVIEW_MAX_TAGS, `tags must list at most ${VERSION_PREVIEW_MAX_TAGS} tags`)
      .describe('Tags as a gather job would store them, in any order'),
    deployed: tagText('deployed').nullish().describe('A deployed version to compare with the tags'),
    stableOnly: z.boolean({ error: 'stableOnly must be true or false' }).default(true).describe('As a rule\'s stable_only: prereleases do not count; default true'),
  })
  .meta({ id: 'VersionPreviewRequest' });
/** Body of `POST /versions/parse`, as parsed (stableOnly defaulted). */
export type VersionPreviewRequest = z.output<typeof versionPreviewRequestSchema>;

/** How one tag parses. */
export const versionTagPreviewSchema = z
  .discriminatedUnion('parses', [
    z.object({
      tag: z.string(),
      parses: z.literal(true),
      prefix: z.string().describe('As written: v, controller-v, api/v, ""'),
      family: z.string().describe('The prefix less a trailing v: "" for v or no prefix'),
      version: z.string().describe('Canonical, without prefix: major.minor.patch[.more], then -prerelease, -variant, +build'),
      parts: z.number().int().describe('Numeric parts written: 2 for v3.1, 1 only for jdk-21+35'),
      prerelease: z.string().nullable(),
      isPrerelease: z.boolean(),
      variant: z.string(),
      build: z.string().nullable(),
      floating: z
        .enum(['line_alias', 'build_alias'])
        .nullable()
        .describe('line_alias: a two-part tag moving with its line; build_alias: a build-less tag moving with its newest build; neither counts as a release'),
    }),
    z.object({
      tag: z.string(),
      parses: z.literal(false),
      reason: z.enum(UNPARSEABLE_REASONS),
      message: z.string(),
      floating: z.enum(['major_only']).nullable().describe('major_only: a floating major-only tag such as 20 or v2-alpine'),
    }),
  ])
  .meta({ id: 'VersionTagPreview' });
/** How one tag parses. */
export type VersionTagPreview = z.infer<typeof versionTagPreviewSchema>;

const behind = z.number().int().nullable();

/** The answer to a parse preview. */
export const versionPreviewResponseSchema = z
  .object({
    tags: z.array(versionTagPreviewSchema).describe('One per tag, in the order given'),
    summary: z.object({
      total: z.number().int(),
      parsed: z.number().int(),
      unparseable: z.number().int(),
      floating: z.number().int().describe('Major-only tags and aliases'),
      families: z
        .array(z.object({ family: z.string(), count: z.number().int() }))
        .describe('Families of the tags that parse, most tags first, at most 20'),
    }),
    deployed: z
      .object({
        input: z.string(),
        parse: versionTagPreviewSchema,
        status: evaluationStatusSchema,
        reason: z.string().nullable().describe('Why the status is unknown'),
        latest: z.string().nullable().describe('The latest release\'s tag'),
        majorsBehind: behind,
        minorsBehind: behind,
        daysBehind: behind.describe('Null unless the deployed release has a publishedAt here or is up to date'),
        days: z.string().describe('How daysBehind was counted, or why it was not'),
        notes: z.array(z.string()),
        explanation: evaluationExplanationSchema,
      })
      .nullable()
      .describe('Null without a deployed version'),
  })
  .meta({ id: 'VersionPreview' });
/** The answer to a parse preview. */
export type VersionPreview = z.infer<typeof versionPreviewResponseSchema>;
