import { compareReleases } from './compare-versions.ts';
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
 * The highest release by `compareReleases` (version, then build number), or null when there is
 * none. Callers pass releases of one family and variant. Tags that carry the same release
 * (`v1.2.0`, `1.2.0`) are decided by tag text (code-unit order), so the answer never depends on
 * the order the releases were stored in.
 */
export function selectLatest<T extends ParsedRelease>(releases: readonly T[]): T | null {
  let latest: T | null = null;
  for (const candidate of releases) {
    if (latest === null) {
      latest = candidate;
      continue;
    }
    const order = compareReleases(candidate.version, latest.version);
    if (order > 0 || (order === 0 && candidate.release.tag < latest.release.tag)) latest = candidate;
  }
  return latest;
}

/** The date a release came out: its publish date, else when Planekeeper first gathered it. */
export function releaseDate(release: ReleaseCandidate): Date {
  return release.publishedAt ?? release.firstSeenAt;
}
