import { compareVersions, isSameVersion } from './compare-versions.ts';
import { explainVersionTag } from './parse-version.ts';
import type { ParsedVersion } from './parse-version.ts';
import type { ReleaseCandidate } from './select-latest.ts';

/** A release (or range of releases) a user skips, with why: `{ versions: "2.5.0" | ">=3.0.0 <3.0.2", reason }`. */
export type SkipVersion = { versions: string; reason: string };

/** A gathered release left out because a skip entry names it. */
export type SkippedRelease = { tag: string; versions: string; reason: string };

/** How many skipped releases an evaluation lists (the rest are counted only). */
export const SKIPPED_LIST_MAX = 50;

type Operator = '>=' | '<=' | '>' | '<' | '=';
type Comparator = { operator: Operator; version: ParsedVersion };

/** A parsed skip entry: every comparator must hold for a release to be skipped. */
export type SkipMatcher = { spec: SkipVersion; comparators: Comparator[] };

/**
 * Reads a skip entry's `versions` in the domain's own version grammar (DESIGN.md section 4):
 * one version (`2.5.0`, `v2.5.0`: that release, whatever its prefix, variant or build) or
 * comparators separated by spaces (`>=3.0.0 <3.0.2`), all of which must hold. A version that does
 * not parse under the grammar (a major-only `3`) makes the entry invalid, with the reason.
 */
export function parseSkipVersions(versions: string): { ok: true; comparators: Comparator[] } | { ok: false; message: string } {
  const parts = versions.trim().split(/\s+/).filter((part) => part !== '');
  if (parts.length === 0) return { ok: false, message: 'must name a version or a range such as ">=3.0.0 <3.0.2"' };
  if (parts.length > 8) return { ok: false, message: 'a range has at most 8 comparators' };
  const comparators: Comparator[] = [];
  for (const part of parts) {
    const match = /^(>=|<=|>|<|=)?(.+)$/.exec(part);
    const operator = (match?.[1] ?? '=') as Operator;
    const text = match?.[2] ?? '';
    const reading = explainVersionTag(text);
    if (!reading.ok) return { ok: false, message: `"${part}" is not a version or a comparator (>=, <=, >, <, =) with a version: ${reading.message}` };
    comparators.push({ operator, version: reading.version });
  }
  return { ok: true, comparators };
}

function holds(comparator: Comparator, version: ParsedVersion): boolean {
  if (comparator.operator === '=') return isSameVersion(version, comparator.version);
  const order = compareVersions(version, comparator.version);
  switch (comparator.operator) {
    case '>=':
      return order >= 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
  }
}

/** Parses skip entries, leaving out any that do not parse (the API refuses those before they are stored). */
export function skipMatchers(skips: readonly SkipVersion[]): SkipMatcher[] {
  return skips.flatMap((spec) => {
    const parsed = parseSkipVersions(spec.versions);
    return parsed.ok ? [{ spec, comparators: parsed.comparators }] : [];
  });
}

/** The first skip entry that names the version, if any. */
export function skipOf(matchers: readonly SkipMatcher[], version: ParsedVersion): SkipVersion | null {
  return matchers.find((matcher) => matcher.comparators.every((comparator) => holds(comparator, version)))?.spec ?? null;
}

/**
 * Leaves out of the gathered releases those a skip entry names: they are never latest and never
 * counted. The deployed release is kept even when skipped (it is what runs, and is compared).
 * Tags that do not parse are kept, to be reported as the catalog reports them.
 */
export function applySkipVersions(
  releases: readonly ReleaseCandidate[],
  skips: readonly SkipVersion[],
  deployedVersion: string | null,
): { releases: ReleaseCandidate[]; skipped: SkippedRelease[] } {
  const matchers = skipMatchers(skips);
  if (matchers.length === 0) return { releases: [...releases], skipped: [] };
  const deployedReading = deployedVersion === null ? null : explainVersionTag(deployedVersion.trim());
  const deployed = deployedReading?.ok ? deployedReading.version : null;
  const kept: ReleaseCandidate[] = [];
  const skipped: SkippedRelease[] = [];
  for (const release of releases) {
    const reading = explainVersionTag(release.tag, { sourcePrerelease: release.prerelease });
    const spec = reading.ok ? skipOf(matchers, reading.version) : null;
    if (spec === null || (deployed !== null && reading.ok && isSameVersion(deployed, reading.version))) {
      kept.push(release);
    } else {
      skipped.push({ tag: release.tag, versions: spec.versions, reason: spec.reason });
    }
  }
  return { releases: kept, skipped };
}
