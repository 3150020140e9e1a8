import { previewVersions, VERSION_PREVIEW_MAX_TAGS, VERSION_TAG_MAX_LENGTH, versionPreviewRequestSchema, versionPreviewResponseSchema } from '@planekeeper/domain';
import { defineRoute, type RouteDefinition } from '../route.ts';

/**
 * The most tags a preview takes, each of the longest length with a publish date and a prerelease
 * flag beside it (some 70 bytes more of JSON), with room for indentation: 3.84 MB. Every other
 * route keeps the default limit.
 */
export const VERSION_PREVIEW_BODY_LIMIT_BYTES = VERSION_PREVIEW_MAX_TAGS * (VERSION_TAG_MAX_LENGTH + 128);

export const versionsRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post', path: '/api/v1/versions/parse', tag: 'versions', access: 'read', status: 200,
    summary: 'A parse preview: how each tag parses and, with a deployed version, the latest and how far behind it is under each rule, before making a rule. Nothing is stored; no user regex runs',
    body: versionPreviewRequestSchema, response: versionPreviewResponseSchema,
    bodyLimit: VERSION_PREVIEW_BODY_LIMIT_BYTES,
    handler: async ({ deps, body }) => previewVersions(body, deps.clock()),
  }),
];
