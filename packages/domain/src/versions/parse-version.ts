import { LETTER_AFTER_VERSION, splitSuffix, startsWithPrereleaseKeyword } from './parse-suffix.ts';

/**
 * A version tag as Planekeeper reads it: `[prefix]version[suffix]` (DESIGN.md section 4).
 *
 * - `prefix` is the text before the version as written (`v`, `release-`, `controller-v`,
 *   `api/v`); `family` is the prefix less a trailing `v`, '' for `v` or no prefix. Versions are
 *   compared only within one family and one variant.
 * - `major`, `minor`, `patch` and `extra` (numeric parts after the patch, as in `1.2.3.4`) form
 *   the core; missing parts count as 0 (`1.2` = `1.2.0`). `parts` is how many the tag wrote:
 *   1 only for Java's GA naming (`jdk-21+35`), 2 for a two-part tag such as `v3.1`.
 * - `prerelease` is the prerelease keyword part(s) of the suffix as written (`rc.1`, `SNAPSHOT`,
 *   `rc` of `11.7.1-noble-rc`), joined by `-`, or null.
 * - `variant` is the rest of the suffix less build numbers (`alpine`, `jdk-jammy`), '' if none.
 * - `build` is the build number(s): `_digits` directly after the version, suffix parts that are
 *   only digits and `+build`, joined by `.` in that order (`9` of `21.0.3_9-jdk-jammy`,
 *   `20240522` of `17.0-20240522`), or null. A higher build is a newer release of the same version.
 * - `isPrerelease` is true when there is a prerelease part or the source flagged the release.
 */
export type ParsedVersion = {
  tag: string;
  prefix: string;
  family: string;
  major: number;
  minor: number;
  patch: number;
  extra: number[];
  parts: number;
  prerelease: string | null;
  variant: string;
  build: string | null;
  isPrerelease: boolean;
};

export type ParseVersionOptions = {
  /** The source (e.g. a GitHub release) flagged this release as a prerelease. */
  sourcePrerelease?: boolean;
};

/** Why a tag does not parse as a version. */
export const UNPARSEABLE_REASONS = [
  'empty',
  'too_long',
  'no_version',
  'major_only',
  'date_like_major',
  'letter_after_version',
  'malformed',
] as const;

export type UnparseableReason = (typeof UNPARSEABLE_REASONS)[number];

/** The outcome of reading one tag: its version, or why it has none. */
export type VersionTagReading =
  | { ok: true; version: ParsedVersion }
  | { ok: false; reason: UnparseableReason; message: string };

/** Longest tag read; gathered tags are stored up to this length too. */
export const VERSION_TAG_MAX_LENGTH = 256;

// Six or more digits in the major are a date or a build number (`20240911.1`, `20260101`).
const DATE_LIKE_MAJOR_DIGITS = 6;
const BUILD_TEXT = /^[0-9A-Za-z._-]+$/;

/**
 * Reads a tag as gathered from a source or entered as the deployed version, and says why when
 * it is not a version. Surrounding whitespace is trimmed (also from `tag`). One scan finds where
 * the version may start; each start reads the rest of the tag once, and tags longer than
 * VERSION_TAG_MAX_LENGTH are refused, so a hostile tag costs a few thousand steps at most.
 *
 * Where the version starts: at 0 for a digit, after a leading `v`, or after any prefix that starts
 * with a letter, ends in `-` or `/` and holds only letters, digits and `._-/` (optionally followed
 * by `v`); the first such start that reads as a version wins (`python3.11-1.2.3` is 1.2.3).
 *
 * Decisions beyond DESIGN.md section 4:
 * - a major-only version parses only when `+build` follows it directly (`jdk-21+35`);
 *   `21-jre+35` is a floating major-only tag;
 * - `_` at the start of the suffix separates like `-` when what follows is not only digits
 *   (`1.2.3_rc1` is prerelease `rc1`);
 * - a tag is read on its own: whether a two-part tag such as `v3.1` is a floating alias depends
 *   on the other gathered tags (see `catalogReleases`).
 */
export function explainVersionTag(tag: string, options: ParseVersionOptions = {}): VersionTagReading {
  const trimmed = tag.trim();
  if (trimmed === '') return fail('empty', 'the tag is empty');
  if (trimmed.length > VERSION_TAG_MAX_LENGTH) {
    return fail('too_long', `the tag is longer than ${VERSION_TAG_MAX_LENGTH} characters`);
  }
  const plus = trimmed.indexOf('+');
  const main = plus === -1 ? trimmed : trimmed.slice(0, plus);
  const plusBuild = plus === -1 ? null : trimmed.slice(plus + 1);
  if (plusBuild !== null && !BUILD_TEXT.test(plusBuild)) {
    return fail('malformed', 'the build after `+` must be letters, digits, `.`, `_` or `-`, and not empty');
  }

  let firstFailure: VersionTagReading | null = null;
  for (const start of versionStarts(main)) {
    const reading = readFrom(trimmed, main, start, plusBuild, options);
    if (reading.ok) return reading;
    firstFailure ??= reading;
  }
  return (
    firstFailure ??
    fail('no_version', 'no version found: expected [prefix]major.minor, the prefix being `v` or a name ending in `-` or `/`')
  );
}

/**
 * Parses a tag (see `explainVersionTag`); null for tags that are not versions: floating
 * major-only tags (`20`, `v2`, `20-alpine`), date-like numbers (`20260101`, `jammy-20240911.1`),
 * names (`latest`), digests and anything malformed (`1..2`, `1.2.3-`, `1.2.3a`).
 */
export function parseVersionTag(tag: string, options: ParseVersionOptions = {}): ParsedVersion | null {
  const reading = explainVersionTag(tag, options);
  return reading.ok ? reading.version : null;
}

function fail(reason: UnparseableReason, message: string): VersionTagReading {
  return { ok: false, reason, message };
}

// Character classes by code unit: the scanner runs once per tag of lists of tens of thousands.
const isDigitAt = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
};
const isLetterAt = (text: string, i: number) => {
  const c = text.charCodeAt(i) | 32;
  return c >= 97 && c <= 122;
};
const isPrefixCharAt = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return isDigitAt(text, i) || isLetterAt(text, i) || c === 46 || c === 95 || c === 45 || c === 47; // . _ - /
};
const isVAt = (text: string, i: number) => text[i] === 'v' || text[i] === 'V';

/** Positions where the version may start, in order: one scan of the text. */
function versionStarts(main: string): number[] {
  if (isDigitAt(main, 0)) return [0];
  if (isVAt(main, 0) && isDigitAt(main, 1)) return [1];
  if (!isLetterAt(main, 0)) return [];
  const starts: number[] = [];
  for (let i = 1; i < main.length; i += 1) {
    if (!isPrefixCharAt(main, i)) break;
    if (main[i] !== '-' && main[i] !== '/') continue;
    if (isDigitAt(main, i + 1)) starts.push(i + 1);
    else if (isVAt(main, i + 1) && isDigitAt(main, i + 2)) starts.push(i + 2);
  }
  return starts;
}

function readFrom(
  tag: string,
  main: string,
  start: number,
  plusBuild: string | null,
  options: ParseVersionOptions,
): VersionTagReading {
  const numbers: number[] = [];
  let pos = start;
  let majorDigits = 0;
  for (;;) {
    const from = pos;
    while (isDigitAt(main, pos)) pos += 1;
    if (numbers.length === 0) majorDigits = pos - from;
    numbers.push(Number(main.slice(from, pos)));
    if (main[pos] !== '.' || !isDigitAt(main, pos + 1)) break;
    pos += 1;
  }
  if (majorDigits >= DATE_LIKE_MAJOR_DIGITS) {
    const major = main.slice(start, start + majorDigits);
    return fail('date_like_major', `the major ${major} has ${DATE_LIKE_MAJOR_DIGITS} or more digits: a date or build number, not a version`);
  }
  if (!numbers.every(Number.isSafeInteger)) return fail('malformed', 'a version number is too large');

  const tail = main.slice(pos);
  if (numbers.length === 1) {
    if (tail === '' && plusBuild !== null) return parsedReading(tag, main.slice(0, start), numbers, { prerelease: null, variant: '', builds: [plusBuild] }, options);
    const glued = isLetterAt(tail, 0);
    if (tail === '' || tail[0] === '-' || tail[0] === '_' || (glued && startsWithPrereleaseKeyword(tail))) {
      return fail('major_only', 'a major-only tag is floating (`20`, `v2`, `20-alpine`); only `major+build` (`jdk-21+35`) parses');
    }
    if (glued) return fail('letter_after_version', LETTER_AFTER_VERSION);
    return fail('malformed', `unexpected \`${tail[0]}\` after the version`);
  }

  const suffix = splitSuffix(tail);
  if (!suffix.ok) return fail(suffix.reason, suffix.message);
  const builds = plusBuild === null ? suffix.builds : [...suffix.builds, plusBuild];
  return parsedReading(tag, main.slice(0, start), numbers, { ...suffix, builds }, options);
}

function parsedReading(
  tag: string,
  prefix: string,
  numbers: number[],
  suffix: { prerelease: string | null; variant: string; builds: string[] },
  options: ParseVersionOptions,
): VersionTagReading {
  const [major = 0, minor = 0, patch = 0, ...extra] = numbers;
  const family = prefix.endsWith('v') || prefix.endsWith('V') ? prefix.slice(0, -1) : prefix;
  return {
    ok: true,
    version: {
      tag,
      prefix,
      family,
      major,
      minor,
      patch,
      extra,
      parts: numbers.length,
      prerelease: suffix.prerelease,
      variant: suffix.variant,
      build: suffix.builds.length === 0 ? null : suffix.builds.join('.'),
      isPrerelease: suffix.prerelease !== null || options.sourcePrerelease === true,
    },
  };
}
