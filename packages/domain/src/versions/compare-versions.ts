import type { ParsedVersion } from './parse-version.ts';

type Comparison = -1 | 0 | 1;

/**
 * Orders two parsed versions by precedence: major, minor, patch, extra parts (missing ones count
 * as 0), then prerelease, where a release outranks its prereleases. Build numbers are not part
 * of it (see `compareReleases`); neither are family, variant or the source's prerelease flag:
 * callers compare within one family and variant.
 *
 * Prerelease identifiers are split on `.`, `-` and `_` and between letters and digits, then
 * compared per semver (numbers numerically and below words, words case-insensitively), so
 * `rc2` < `rc10`, `rc.9` < `rc.12` and `rc.1` = `rc1` = `RC1`.
 */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): Comparison {
  return compareCores(a, b) || comparePrereleases(a.prerelease, b.prerelease);
}

/**
 * Orders two releases of one family and variant: by `compareVersions`, then by build number,
 * where no build ranks below any build and builds compare like prerelease identifiers (the
 * higher numeric build is the newer release: `17.0-20240924` > `17.0-20240522`). A total order:
 * zero exactly when `releaseKey` is equal.
 */
export function compareReleases(a: ParsedVersion, b: ParsedVersion): Comparison {
  return compareVersions(a, b) || compareBuilds(a.build, b.build);
}

/** Orders build numbers: none lowest, then by identifiers (`9` < `10`, `build.5` < `build.7`). */
export function compareBuilds(a: string | null, b: string | null): Comparison {
  if (a === null || b === null) {
    if (a === b) return 0;
    return a === null ? -1 : 1;
  }
  return compareIdentifierLists(identifiers(a), identifiers(b));
}

/** True when both versions have the same precedence, builds aside (`v1.2` and `1.2.0+b5`). */
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

/**
 * The identity of a release within its family and variant: equal for tags that carry the same
 * release (`v3.0.2` and `3.0.2`, `1.2` and `1.2.0`, `rc.1` and `RC1`), different otherwise,
 * exactly as `compareReleases` says 0.
 */
export function releaseKey(version: ParsedVersion): string {
  if (version.prerelease === null && version.build === null) return coreNumbers(version).join('.');
  const prerelease = version.prerelease === null ? '' : `-${identifiers(version.prerelease).map(canonicalIdentifier).join('.')}`;
  const build = version.build === null ? '' : `+${identifiers(version.build).map(canonicalIdentifier).join('.')}`;
  return `${coreNumbers(version).join('.')}${prerelease}${build}`;
}

/** The core without trailing zero parts: `1.2.0.0` -> [1, 2], so that `1.2` = `1.2.0`. */
function coreNumbers(version: ParsedVersion): number[] {
  const numbers = [version.major, version.minor, version.patch, ...version.extra];
  while (numbers.length > 2 && numbers.at(-1) === 0) numbers.pop();
  return numbers;
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
  return compareIdentifierLists(identifiers(a), identifiers(b));
}

/** `RC10.x-2` -> ['rc', '10', 'x', '2'] */
function identifiers(text: string): string[] {
  return text.toLowerCase().match(/\d+|[^\d.\-_]+/g) ?? [];
}

function compareIdentifierLists(left: readonly string[], right: readonly string[]): Comparison {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const order = compareIdentifiers(left[i] ?? '', right[i] ?? '');
    if (order !== 0) return order;
  }
  return compareNumbers(left.length, right.length);
}

// Numbers compare by their digits, not as floats: a 25-digit nightly stamp must not tie with its
// neighbour. Identifiers are either all digits or no digits (see `identifiers`).
function compareIdentifiers(a: string, b: string): Comparison {
  const aNumeric = isNumeric(a);
  const bNumeric = isNumeric(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (!aNumeric) return compareText(a, b);
  const left = canonicalIdentifier(a);
  const right = canonicalIdentifier(b);
  return compareNumbers(left.length, right.length) || compareText(left, right);
}

function canonicalIdentifier(identifier: string): string {
  return isNumeric(identifier) ? identifier.replace(/^0+(?=\d)/, '') : identifier;
}

const isNumeric = (identifier: string) => identifier.charCodeAt(0) >= 48 && identifier.charCodeAt(0) <= 57;

function compareText(a: string, b: string): Comparison {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareNumbers(a: number, b: number): Comparison {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
