import type { VersionPreview, VersionPreviewRequest, VersionTagPreview } from '../schemas/version-preview.ts';
import { catalogReleases, explainVersionTag, formatVersion } from '../versions/index.ts';
import type { AliasKind, CatalogEntry, ReleaseCandidate, ReleaseCatalog, VersionTagReading } from '../versions/index.ts';
import { compareDeployed } from './compare-deployed.ts';
import { daysNotes } from './evaluate-rule.ts';
import { countedFrom } from './explanation.ts';

/** Most families a preview's summary names. */
const FAMILIES_SHOWN = 20;

/**
 * A parse preview (`POST /api/v1/versions/parse`): how each tag parses and, with a deployed
 * version, what an evaluation against these tags would answer under each rule, without a gather
 * job. The tags go through the same catalog as a gather job's releases, as if all were first
 * gathered at `now`: a tag with `publishedAt` is dated by it; equal dates make a two-part tag
 * beside its x.y.z tags an alias. Days behind are counted only from a publish date given here
 * (a gather job would count from when it first gathered the tag): without one, `daysBehind` is
 * null and `days` says why. Linear in the number of tags.
 */
export function previewVersions(request: VersionPreviewRequest, now: Date): VersionPreview {
  const releases: ReleaseCandidate[] = request.tags.map((entry) =>
    typeof entry === 'string'
      ? { tag: entry, publishedAt: null, firstSeenAt: now, prerelease: false }
      : {
          tag: entry.tag,
          publishedAt: entry.publishedAt === null || entry.publishedAt === undefined ? null : new Date(entry.publishedAt),
          firstSeenAt: now,
          prerelease: entry.prerelease ?? false,
        },
  );
  const catalog = catalogReleases(releases);
  const tags = catalog.entries.map(previewEntry);
  const deployed = request.deployed === null || request.deployed === undefined ? null : previewDeployed(catalog, request.deployed, request.stableOnly, now);
  return { tags, summary: summarize(catalog, tags), deployed };
}

function previewEntry(entry: CatalogEntry): VersionTagPreview {
  switch (entry.kind) {
    case 'parsed':
      return previewReading({ ok: true, version: entry.version }, entry.alias);
    case 'unparseable':
      return previewReading({ ok: false, reason: entry.reason, message: entry.message }, null, entry.release.tag);
    case 'filtered':
      // A preview has no tag filter: nothing is filtered out.
      throw new Error(`a parse preview filtered out ${entry.release.tag}`);
  }
}

function previewReading(reading: VersionTagReading, alias: AliasKind | null, tag = ''): VersionTagPreview {
  if (!reading.ok) {
    const floating = reading.reason === 'major_only' ? 'major_only' : null;
    return { tag, parses: false, reason: reading.reason, message: reading.message, floating };
  }
  const { version } = reading;
  return {
    tag: version.tag,
    parses: true,
    prefix: version.prefix,
    family: version.family,
    version: formatVersion(version),
    parts: version.parts,
    prerelease: version.prerelease,
    isPrerelease: version.isPrerelease,
    variant: version.variant,
    build: version.build,
    floating: alias,
  };
}

function summarize(catalog: ReleaseCatalog, tags: readonly VersionTagPreview[]): VersionPreview['summary'] {
  const families = [...catalog.families]
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, FAMILIES_SHOWN)
    .map(([family, count]) => ({ family, count }));
  return {
    total: tags.length,
    parsed: catalog.parsed.length,
    unparseable: tags.length - catalog.parsed.length,
    floating: tags.filter((tag) => tag.floating !== null).length,
    families,
  };
}

function previewDeployed(
  catalog: ReleaseCatalog,
  input: string,
  stableOnly: boolean,
  now: Date,
): NonNullable<VersionPreview['deployed']> {
  const parse = previewReading(explainVersionTag(input), null, input.trim());
  const comparison = compareDeployed(catalog, input, { stableOnly, now });
  if (comparison.status === 'unknown') {
    return {
      input,
      parse,
      status: 'unknown',
      reason: comparison.reason,
      latest: comparison.latestVersion,
      majorsBehind: null,
      minorsBehind: null,
      daysBehind: null,
      days: 'not counted: the comparison is unknown',
      notes: [],
      explanation: comparison.explanation,
    };
  }
  const from = comparison.days.countedFrom;
  const published = from !== null && from.source === 'published';
  let days: string;
  if (from === null) days = 'up to date: 0 days, no date needed';
  else if (published) days = `counted from the publishedAt of ${from.tag} (${from.at.toISOString()})`;
  else {
    days =
      `not counted: no tag carrying the deployed release (${from.tag}) has a publishedAt here; ` +
      'a gather job counts days from a release\'s publish date, or from when it first gathered the tag';
  }
  return {
    input,
    parse,
    status: 'ok',
    reason: null,
    latest: comparison.latestVersion,
    majorsBehind: comparison.majorsBehind,
    minorsBehind: comparison.minorsBehind,
    daysBehind: from === null || published ? comparison.days.days : null,
    days,
    notes: [...comparison.notes, ...(published ? daysNotes(from, comparison.deployedCarriedBy) : [])],
    explanation: { ...comparison.explanation, countedFrom: published ? countedFrom(from) : null },
  };
}
