// semver is CommonJS and Node cannot see its named exports from ESM, hence the default import.
import semver from 'semver';
import type { ParsedVersion } from './parse-version.ts';

type Comparison = -1 | 0 | 1;

/**
 * Orders two parsed versions by semver precedence: major, minor, patch, extra components
 * (missing ones count as 0), then prerelease, where a release outranks its prereleases.
 *
 * Prerelease identifiers are split on `.` and `-` and between letters and digits, then compared
 * per semver (numbers numerically and below words, words case-insensitively), so `rc2` < `rc10`
 * and `rc.1` = `rc1` = `RC1`. Variant, build metadata and the source's prerelease flag are not
 * part of precedence: callers compare within one variant.
 */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): Comparison {
  return compareCores(a, b) || comparePrereleases(a.prerelease, b.prerelease);
}

/** True when both versions have the same precedence (`v1.2` and `1.2.0+b5`). */
export function isSameVersion(a: ParsedVersion, b: ParsedVersion): boolean {
  return compareVersions(a, b) === 0;
}

/** The major.minor line of a version, e.g. `1.8` for `v1.8.3-alpine`. */
export function versionLine(version: ParsedVersion): string {
  return `${version.major}.${version.minor}`;
}

/** Orders versions by their major.minor line only. */
export function compareLines(a: ParsedVersion, b: ParsedVersion): Comparison {
  return compareNumbers(a.major, b.major) || compareNumbers(a.minor, b.minor);
}

function compareCores(a: ParsedVersion, b: ParsedVersion): Comparison {
  const left = [a.major, a.minor, a.patch, ...a.extra];
  const right = [b.major, b.minor, b.patch, ...b.extra];
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const order = compareNumbers(left[i] ?? 0, right[i] ?? 0);
    if (order !== 0) return order;
  }
  return 0;
}

function comparePrereleases(a: string | null, b: string | null): Comparison {
  if (a === null || b === null) {
    if (a === b) return 0;
    return a === null ? 1 : -1;
  }
  const left = prereleaseIdentifiers(a);
  const right = prereleaseIdentifiers(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const order = semver.compareIdentifiers(left[i], right[i]);
    if (order !== 0) return order;
  }
  return compareNumbers(left.length, right.length);
}

/** `RC10.x-2` -> ['rc', '10', 'x', '2'] */
function prereleaseIdentifiers(prerelease: string): string[] {
  return prerelease.toLowerCase().match(/\d+|[^\d.\-]+/g) ?? [];
}

function compareNumbers(a: number, b: number): Comparison {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
