import { compareReleases } from './compare-versions.ts';
import type { CatalogEntry, ReleaseCatalog } from './release-catalog.ts';
import { releaseDate } from './select-latest.ts';

/**
 * Why a gathered tag took no part in an evaluation. Each tag has the first reason that applies,
 * in this order.
 */
export const SKIP_REASONS = [
  'tag_filter',
  'major_only',
  'date_like',
  'unparseable',
  'other_family',
  'other_variant',
  'line_alias',
  'build_alias',
  'prerelease',
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number];

/** Each skip reason for people, e.g. beside the counts in the UI. */
export const SKIP_REASON_MESSAGES: Record<SkipReason, string> = {
  tag_filter: 'excluded by the gather job\'s tag filter',
  major_only: 'a major-only tag (`20`, `v2-alpine`): floating, not a version',
  date_like: 'a major of six or more digits (`20240911.1`): a date or build number, not a version',
  unparseable: 'does not parse as a version',
  other_family: 'of another prefix family than the one compared within',
  other_variant: 'of another variant than the one compared within',
  line_alias: 'a two-part tag (`v3.1`) moving with its line: not a release of its own',
  build_alias: 'a build-less tag moving with the newest build of its version (`17.0` beside `17.0-20240924`)',
  prerelease: 'a prerelease, excluded by stable only',
};

/** How many tags were skipped for one reason, with a few of them. */
export type SkippedTags = { reason: SkipReason; count: number; sample: string[] };

/** Most tags named per reason: a 20,000-tag job still makes a small evaluation. */
export const SKIP_SAMPLE_SIZE = 5;

/** What the scope of an evaluation is, when the deployed version parsed. */
export type SkipScope = { family: string; variant: string };

/**
 * Counts the tags an evaluation skipped, by reason (only reasons with tags, in `SKIP_REASONS`
 * order), and how many it counted. Samples name the tags a user most likely expected to count:
 * the highest versions for tags that parse, the most recent for those that do not. Without a
 * scope (no deployed version, or one that does not parse) only the reasons that do not depend on
 * it are given. Linear in the number of tags.
 */
export function summarizeSkippedTags(
  catalog: ReleaseCatalog,
  scope: SkipScope | null,
  stableOnly: boolean,
): { skipped: SkippedTags[]; counted: number } {
  const groups = new Map<SkipReason, { count: number; sample: CatalogEntry[] }>();
  let counted = 0;
  for (const entry of catalog.entries) {
    const reason = skipReason(entry, scope, stableOnly);
    if (reason === null) {
      if (entry.kind === 'parsed' && scope !== null) counted += 1;
      continue;
    }
    let group = groups.get(reason);
    if (group === undefined) {
      group = { count: 0, sample: [] };
      groups.set(reason, group);
    }
    group.count += 1;
    keepTop(group.sample, entry);
  }
  const skipped = SKIP_REASONS.flatMap((reason) => {
    const group = groups.get(reason);
    return group === undefined ? [] : [{ reason, count: group.count, sample: group.sample.map((entry) => entry.release.tag) }];
  });
  return { skipped, counted };
}

function skipReason(entry: CatalogEntry, scope: SkipScope | null, stableOnly: boolean): SkipReason | null {
  if (entry.kind === 'filtered') return 'tag_filter';
  if (entry.kind === 'unparseable') {
    if (entry.reason === 'major_only') return 'major_only';
    return entry.reason === 'date_like_major' ? 'date_like' : 'unparseable';
  }
  if (scope === null) return null;
  if (entry.version.family !== scope.family) return 'other_family';
  if (entry.version.variant !== scope.variant) return 'other_variant';
  if (entry.alias !== null) return entry.alias;
  return stableOnly && entry.version.isPrerelease ? 'prerelease' : null;
}

/** Inserts `entry` into `sample` (best first) when it is among the best SKIP_SAMPLE_SIZE. */
function keepTop(sample: CatalogEntry[], entry: CatalogEntry): void {
  let at = sample.length;
  while (at > 0 && isBefore(entry, sample[at - 1] as CatalogEntry)) at -= 1;
  if (at >= SKIP_SAMPLE_SIZE) return;
  sample.splice(at, 0, entry);
  if (sample.length > SKIP_SAMPLE_SIZE) sample.pop();
}

function isBefore(a: CatalogEntry, b: CatalogEntry): boolean {
  if (a.kind === 'parsed' && b.kind === 'parsed') {
    const order = compareReleases(a.version, b.version);
    if (order !== 0) return order > 0;
  } else {
    const order = releaseDate(a.release).getTime() - releaseDate(b.release).getTime();
    if (order !== 0) return order > 0;
  }
  return a.release.tag < b.release.tag;
}
