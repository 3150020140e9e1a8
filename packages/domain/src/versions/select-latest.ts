import { compareVersions } from './compare-versions.ts';
import { parseVersionTag } from './parse-version.ts';
import type { ParsedVersion } from './parse-version.ts';
import { compileUserRegex, type UserRegex } from '../regex/index.ts';

/** An upstream release as a gather job stored it. */
export type ReleaseCandidate = {
  tag: string;
  /** When the source published it; null for most OCI tags. */
  publishedAt: Date | null;
  /** When Planekeeper first gathered it. */
  firstSeenAt: Date;
  /** The source flagged it as a prerelease (e.g. a GitHub prerelease). */
  prerelease: boolean;
};

/** A gathered release whose tag parses, with its parsed version. */
export type ParsedRelease = {
  release: ReleaseCandidate;
  version: ParsedVersion;
};

export type EligibilityOptions = {
  /** Only releases of this variant ('' for none) are candidates. */
  variant: string;
  /** Drop prereleases, whether the suffix or the source says so. */
  stableOnly: boolean;
};

export type CompiledTagFilter = { ok: true; regex: UserRegex | null } | { ok: false; error: string };

/**
 * Compiles a gather job's tag filter. Null or empty means no filter. An invalid expression is
 * reported rather than thrown; the API validates filters, so this only guards old rows.
 */
export function compileTagFilter(tagFilter: string | null | undefined): CompiledTagFilter {
  if (tagFilter === null || tagFilter === undefined || tagFilter === '') return { ok: true, regex: null };
  return compileUserRegex(tagFilter);
}

/**
 * The first step of every lookup: keeps the releases whose tag matches the gather job's tag
 * filter (unanchored, as `RegExp.test`) and parses. Tags that do not parse are dropped here and
 * so never count as latest. An invalid filter matches nothing, so a broken filter can never
 * make an unintended tag count as latest.
 */
export function parseReleases(releases: readonly ReleaseCandidate[], tagFilter?: string | null): ParsedRelease[] {
  const filter = compileTagFilter(tagFilter);
  if (!filter.ok) return [];
  const parsed: ParsedRelease[] = [];
  for (const release of releases) {
    if (filter.regex !== null && !filter.regex.test(release.tag)) continue;
    const version = parseVersionTag(release.tag, { sourcePrerelease: release.prerelease });
    if (version !== null) parsed.push({ release, version });
  }
  return parsed;
}

/**
 * The releases that may count as latest and as minors behind: those of the given variant,
 * without prereleases when `stableOnly`. Takes the output of `parseReleases`.
 */
export function eligibleReleases(releases: readonly ParsedRelease[], options: EligibilityOptions): ParsedRelease[] {
  return releases.filter(
    ({ version }) => version.variant === options.variant && !(options.stableOnly && version.isPrerelease),
  );
}

/**
 * The highest release by semver precedence, or null when there is none. Releases of equal
 * precedence (`v1.2.0`, `1.2.0`, `1.2`) are decided by tag text (code-unit order), so the
 * answer never depends on the order the releases were stored in.
 */
export function selectLatest(releases: readonly ParsedRelease[]): ParsedRelease | null {
  let latest: ParsedRelease | null = null;
  for (const candidate of releases) {
    if (latest === null) {
      latest = candidate;
      continue;
    }
    const order = compareVersions(candidate.version, latest.version);
    if (order > 0 || (order === 0 && candidate.release.tag < latest.release.tag)) latest = candidate;
  }
  return latest;
}

/**
 * Finds the gathered release the deployed version refers to: same parsed version (build
 * metadata and prefix ignored, `1.2` = `1.2.0`) and same variant. The source's prerelease flag
 * does not matter: what is deployed is matched even when `stable_only` would exclude it.
 *
 * When several tags match (`v1.2.0` and `1.2.0`), the one spelled exactly like the deployed
 * version wins, then one with a publish date, then the earliest date, then tag text.
 * Takes the output of `parseReleases`, so the tag filter applies here too.
 */
export function findDeployedRelease(
  deployed: string | ParsedVersion,
  releases: readonly ParsedRelease[],
): ParsedRelease | null {
  const version = typeof deployed === 'string' ? parseVersionTag(deployed) : deployed;
  if (version === null) return null;
  let best: ParsedRelease | null = null;
  for (const candidate of releases) {
    if (candidate.version.variant !== version.variant) continue;
    if (compareVersions(candidate.version, version) !== 0) continue;
    if (best === null || isBetterDeployedMatch(candidate.release, best.release, version.tag)) best = candidate;
  }
  return best;
}

function isBetterDeployedMatch(candidate: ReleaseCandidate, best: ReleaseCandidate, deployedTag: string): boolean {
  const exact = Number(candidate.tag === deployedTag) - Number(best.tag === deployedTag);
  if (exact !== 0) return exact > 0;
  const published = Number(candidate.publishedAt !== null) - Number(best.publishedAt !== null);
  if (published !== 0) return published > 0;
  const age = releaseDate(candidate).getTime() - releaseDate(best).getTime();
  if (age !== 0) return age < 0;
  return candidate.tag < best.tag;
}

/** The date a release came out: its publish date, else when Planekeeper first gathered it. */
export function releaseDate(release: ReleaseCandidate): Date {
  return release.publishedAt ?? release.firstSeenAt;
}
