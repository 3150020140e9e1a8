import { releaseKey } from './compare-versions.ts';
import { explainVersionTag } from './parse-version.ts';
import type { ParsedVersion, UnparseableReason } from './parse-version.ts';
import { compileTagFilter } from './select-latest.ts';
import type { ParsedRelease, ReleaseCandidate } from './select-latest.ts';

/** Which date a release is dated by: the source's publish date, or when it was first gathered. */
export type DateSource = 'published' | 'first_seen';

/** A release's date and the tag it came from. */
export type ReleaseDating = { at: Date; source: DateSource; tag: string };

/**
 * Why a tag that parses is not a release of its own:
 * - `line_alias`: a two-part tag (`v3.1`) that moves with its line;
 * - `build_alias`: a build-less tag of a stable version that has digit-only builds (odoo's `17.0`
 *   beside `17.0-20240924`), which moves with the newest build.
 */
export type AliasKind = 'line_alias' | 'build_alias';

/** A gathered tag that parses. */
export type CatalogRelease = ParsedRelease & {
  kind: 'parsed';
  /** Null for a release; otherwise the tag floats and never counts as a release of its own. */
  alias: AliasKind | null;
  /**
   * The date of the release the tag carries: the earliest of the tags that carry it (`v3.0.2`
   * and `3.0.2`). An alias keeps its own date.
   */
  dated: ReleaseDating;
};

/** What became of one gathered tag. */
export type CatalogEntry =
  | { kind: 'filtered'; release: ReleaseCandidate }
  | { kind: 'unparseable'; release: ReleaseCandidate; reason: UnparseableReason; message: string }
  | CatalogRelease;

/** A gather job's releases read once, to evaluate any number of deployed versions against. */
export type ReleaseCatalog = {
  /** Every gathered tag, in the order given. */
  entries: CatalogEntry[];
  /** The tags that parse (aliases included), in the order given. */
  parsed: CatalogRelease[];
  /** How many tags that parse each prefix family has ('' = `v` or no prefix). */
  families: ReadonlyMap<string, number>;
  /** The gather job's tag filter as given; null or '' for none. */
  tagFilter: string | null;
  /** Why the tag filter does not compile; then every tag counts as filtered out. */
  filterError: string | null;
  /**
   * Set when reading the tags ran past the caller's budget (`overBudget`): how many of how many
   * tags had been read. The catalog is then incomplete, and no evaluation may be made from it.
   */
  stoppedAfter: { read: number; of: number } | null;
};

/** How often, in tags, {@link catalogReleases} asks whether its budget is spent (a tag costs at most a fraction of a millisecond). */
const BUDGET_CHECK_EVERY = 32;

/**
 * Reads a gather job's releases as DESIGN.md section 4 says: the tag filter applies first
 * (unanchored, `RegExp.test`); each tag is parsed; two-part tags are classified as aliases of
 * their line or releases, build-less tags as aliases of their newest build; each release is
 * dated by the earliest of the tags that carry it. Linear in the number of releases.
 *
 * A two-part tag (`v3.1`, `3.1-alpine`; no prerelease, no build) is an alias when its family and
 * variant have a major.minor.patch tag of that line (prereleases included) dated no later than it,
 * equal dates counting as no later; the tags of one family, variant and two-part line
 * (`v3.1`, `3.1`) are judged together by the earliest of their dates. Decided beyond the text: a
 * two-part tag with a prerelease (`7.4-rc2`) or a build (`17.0-20240522`) names one release and
 * is never an alias.
 *
 * `overBudget`, asked every few tags, stops the reading when it answers true: a tag filter that
 * is as slow as the linear-time engine allows, over 50,000 long tags, would otherwise hold the
 * caller's thread for seconds. The catalog says where it stopped (`stoppedAfter`).
 */
export function catalogReleases(releases: readonly ReleaseCandidate[], tagFilter?: string | null, options: { overBudget?: () => boolean } = {}): ReleaseCatalog {
  const filter = compileTagFilter(tagFilter);
  const entries: CatalogEntry[] = [];
  const parsed: CatalogRelease[] = [];
  const families = new Map<string, number>();
  const { overBudget } = options;
  for (const [index, release] of releases.entries()) {
    if (overBudget && index % BUDGET_CHECK_EVERY === 0 && index > 0 && overBudget()) {
      return { entries, parsed, families, tagFilter: tagFilter ?? null, filterError: filter.ok ? null : filter.error, stoppedAfter: { read: index, of: releases.length } };
    }
    if (!filter.ok || (filter.regex !== null && !filter.regex.test(release.tag))) {
      entries.push({ kind: 'filtered', release });
      continue;
    }
    const reading = explainVersionTag(release.tag, { sourcePrerelease: release.prerelease });
    if (!reading.ok) {
      entries.push({ kind: 'unparseable', release, reason: reading.reason, message: reading.message });
      continue;
    }
    const entry: CatalogRelease = { kind: 'parsed', release, version: reading.version, alias: null, dated: ownDating(release) };
    entries.push(entry);
    parsed.push(entry);
    families.set(reading.version.family, (families.get(reading.version.family) ?? 0) + 1);
  }
  classifyAliases(parsed);
  dateReleases(parsed);
  return { entries, parsed, families, tagFilter: tagFilter ?? null, filterError: filter.ok ? null : filter.error, stoppedAfter: null };
}

/** True for the shape of tag that may float with its line: two parts, no prerelease, no build. */
export function isTwoPartLineTag(version: ParsedVersion): boolean {
  return version.parts === 2 && version.prerelease === null && version.build === null;
}

/** Key of a family and variant: the scope releases are compared within. */
export function scopeKey(version: ParsedVersion): string {
  return `${version.family}\u0000${version.variant}`;
}

/** Key of a major.minor line within a family and variant. */
export function lineKey(version: ParsedVersion): string {
  return `${scopeKey(version)}\u0000${version.major}.${version.minor}`;
}

// Keys are made once per tag: with 20,000 tags, building strings dominates the catalog.
function classifyAliases(parsed: readonly CatalogRelease[]): void {
  const lines = parsed.map(({ version }) => lineKey(version));
  const firstPatchTag = new Map<string, number>();
  const firstTwoPartTag = new Map<string, number>();
  const stableVersionsWithDigitBuilds = new Set<string>();
  parsed.forEach(({ version, dated }, i) => {
    const line = lines[i] ?? '';
    const at = dated.at.getTime();
    if (version.parts >= 3) firstPatchTag.set(line, Math.min(at, firstPatchTag.get(line) ?? at));
    if (isTwoPartLineTag(version)) firstTwoPartTag.set(line, Math.min(at, firstTwoPartTag.get(line) ?? at));
    if (version.prerelease === null && version.build !== null && DIGITS.test(version.build)) {
      stableVersionsWithDigitBuilds.add(stableVersionKey(version));
    }
  });
  parsed.forEach((entry, i) => {
    const { version } = entry;
    if (isTwoPartLineTag(version)) {
      const patchAt = firstPatchTag.get(lines[i] ?? '');
      const twoPartAt = firstTwoPartTag.get(lines[i] ?? '');
      if (patchAt !== undefined && twoPartAt !== undefined && patchAt <= twoPartAt) {
        entry.alias = 'line_alias';
        return;
      }
    }
    if (
      stableVersionsWithDigitBuilds.size > 0 &&
      version.build === null &&
      version.prerelease === null &&
      stableVersionsWithDigitBuilds.has(stableVersionKey(version))
    ) {
      entry.alias = 'build_alias';
    }
  });
}

const DIGITS = /^[0-9]+$/;

/** Key of a stable version (builds aside) within its family and variant. */
function stableVersionKey(version: ParsedVersion): string {
  return `${scopeKey(version)}\u0000${releaseKey({ ...version, build: null })}`;
}

function dateReleases(parsed: readonly CatalogRelease[]): void {
  const earliest = new Map<string, ReleaseDating>();
  const keys = parsed.map((entry) => (entry.alias === null ? `${scopeKey(entry.version)}\u0000${releaseKey(entry.version)}` : null));
  parsed.forEach((entry, i) => {
    const key = keys[i];
    if (key === null || key === undefined) return;
    const known = earliest.get(key);
    if (known === undefined || isEarlier(entry.dated, known)) earliest.set(key, entry.dated);
  });
  parsed.forEach((entry, i) => {
    const key = keys[i];
    if (key !== null && key !== undefined) entry.dated = earliest.get(key) ?? entry.dated;
  });
}

/** A release's own date: published, else first gathered. */
export function ownDating(release: ReleaseCandidate): ReleaseDating {
  return release.publishedAt === null
    ? { at: release.firstSeenAt, source: 'first_seen', tag: release.tag }
    : { at: release.publishedAt, source: 'published', tag: release.tag };
}

// Ties go to a publish date, then to tag text, so the answer does not depend on storage order.
function isEarlier(a: ReleaseDating, b: ReleaseDating): boolean {
  const order = a.at.getTime() - b.at.getTime();
  if (order !== 0) return order < 0;
  if (a.source !== b.source) return a.source === 'published';
  return a.tag < b.tag;
}
