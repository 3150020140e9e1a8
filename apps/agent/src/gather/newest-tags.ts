import { compareVersions, parseVersionTag } from '@planekeeper/domain';

/**
 * Tags that parse as versions, highest first: the ones worth a request for their date (OCI image
 * configs, GitHub tag commits), since only they can be the latest.
 */
export function newestLookingTags(tags: readonly string[], count: number): string[] {
  return tags
    .map((tag) => ({ tag, version: parseVersionTag(tag) }))
    .filter((entry): entry is { tag: string; version: NonNullable<typeof entry.version> } => entry.version !== null)
    .sort((a, b) => compareVersions(b.version, a.version))
    .slice(0, count)
    .map((entry) => entry.tag);
}
