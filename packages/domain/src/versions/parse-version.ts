/**
 * A version tag as Planekeeper understands it: `[prefix-]version[-suffix][+build]`.
 *
 * - `major`, `minor`, `patch` and `extra` (numeric components after the patch, as in `1.2.3.4`)
 *   form the core used for precedence; missing components count as 0 (`1.2` = `1.2.0`).
 * - `prerelease` is the prerelease part of the suffix as written (`rc.1`, `SNAPSHOT`), or null.
 * - `variant` is the rest of the suffix (`alpine`, `slim-bookworm`), '' when there is none.
 * - `build` is the `+build` metadata, kept for display and ignored for comparison.
 * - `isPrerelease` is true when there is a prerelease part or the source flagged the release.
 */
export type ParsedVersion = {
  tag: string;
  major: number;
  minor: number;
  patch: number;
  extra: number[];
  prerelease: string | null;
  variant: string;
  build: string | null;
  isPrerelease: boolean;
};

export type ParseVersionOptions = {
  /** The source (e.g. a GitHub release) flagged this release as a prerelease. */
  sourcePrerelease?: boolean;
};

/** Keywords that make the first suffix part a prerelease (compared case-insensitively). */
export const PRERELEASE_KEYWORDS = [
  'alpha',
  'beta',
  'rc',
  'dev',
  'snapshot',
  'canary',
  'nightly',
  'pre',
  'preview',
] as const;

// A keyword alone or followed by a digit or a dot: `rc`, `rc2`, `rc.1`, `nightly.20260101`.
// `devel` and `prefork` do not match because a letter follows the keyword.
const PRERELEASE_PART = new RegExp(`^(?:${PRERELEASE_KEYWORDS.join('|')})(?:[.0-9][0-9A-Za-z._]*)?$`, 'i');
// At least major.minor; any further dot-separated numbers are extra components. Docker tags
// cannot contain `+`, so images write build metadata as `_` after the core (`21.0.2_13-jdk`).
const VERSION_CORE = /^(\d+)\.(\d+)((?:\.\d+)*)(?:_([0-9A-Za-z.]+))?(?:-(.+))?$/;
const SUFFIX_PART = /^[0-9A-Za-z._]+$/;
const BUILD = /^[0-9A-Za-z._-]+$/;
// A prefix is `v`/`V` or a name that starts with a letter and ends in `-` (`release-`,
// `kube-prometheus-stack-`), optionally followed by `v` (`chart-v1.2.3`).
const NAME_PREFIX = /^[A-Za-z][0-9A-Za-z._-]*-$/;

/**
 * Parses a tag as gathered from a source or entered as the deployed version.
 *
 * Returns null for tags that cannot be compared: floating major-only tags (`20`, `v2`,
 * `20-alpine`), pure numbers (`20260101`), names (`latest`, `stable`, `main`), digests and
 * anything malformed (`1..2`, `1.2.`, `1.2.3-`). Surrounding whitespace is trimmed (also from `tag`).
 *
 * Decisions beyond DESIGN.md section 4:
 * - numeric components after the patch (`1.2.3.4`) are kept in `extra` and take part in
 *   precedence after the patch (`1.2.3.4` > `1.2.3` = `1.2.3.0`);
 * - purely numeric suffix parts right after a prerelease part belong to the prerelease
 *   (`1.0.0-rc-1` is prerelease `rc-1`, not variant `1`); a non-numeric part ends it;
 * - `_build` right after the core is build metadata too, as Docker tags cannot contain `+`
 *   (`21.0.2_13-jdk-jammy` is 21.0.2 of variant `jdk-jammy`, build `13`);
 * - the core must be followed by `-`, `_`, `+` or the end (`1.2.3a` does not parse).
 */
export function parseVersionTag(tag: string, options: ParseVersionOptions = {}): ParsedVersion | null {
  const trimmed = tag.trim();
  const plus = trimmed.indexOf('+');
  const main = plus === -1 ? trimmed : trimmed.slice(0, plus);
  const build = plus === -1 ? null : trimmed.slice(plus + 1);
  if (build !== null && !BUILD.test(build)) return null;

  for (const start of versionStarts(main)) {
    const parsed = parseFrom(main.slice(start));
    if (parsed !== null) {
      const { dockerBuild, ...rest } = parsed;
      return {
        tag: trimmed,
        ...rest,
        build: [dockerBuild, build].filter((part) => part !== null).join('+') || null,
        isPrerelease: parsed.prerelease !== null || options.sourcePrerelease === true,
      };
    }
  }
  return null;
}

type CoreAndSuffix = Omit<ParsedVersion, 'tag' | 'build' | 'isPrerelease'> & { dockerBuild: string | null };

/** Positions where the version may start: 0, after a leading `v`, or after a name prefix. */
function* versionStarts(main: string): Generator<number> {
  if (/^\d/.test(main)) {
    yield 0;
    return;
  }
  if (/^[vV]\d/.test(main)) {
    yield 1;
    return;
  }
  for (let i = main.indexOf('-'); i !== -1; i = main.indexOf('-', i + 1)) {
    if (!NAME_PREFIX.test(main.slice(0, i + 1))) continue;
    const next = main[i + 1];
    if (next !== undefined && /\d/.test(next)) yield i + 1;
    else if ((next === 'v' || next === 'V') && /\d/.test(main[i + 2] ?? '')) yield i + 2;
  }
}

function parseFrom(text: string): CoreAndSuffix | null {
  const match = VERSION_CORE.exec(text);
  if (match === null) return null;
  const [, majorText = '', minorText = '', restText = '', dockerBuild = null, suffix] = match;
  const numbers = [majorText, minorText, ...restText.split('.').slice(1)].map(Number);
  if (!numbers.every(Number.isSafeInteger)) return null;
  const [major = 0, minor = 0, patch = 0, ...extra] = numbers;

  const split = suffix === undefined ? { prerelease: null, variant: '' } : splitSuffix(suffix);
  if (split === null) return null;
  return { major, minor, patch, extra, ...split, dockerBuild };
}

function splitSuffix(suffix: string): { prerelease: string | null; variant: string } | null {
  const parts = suffix.split('-');
  if (!parts.every((part) => SUFFIX_PART.test(part))) return null;
  const [first = ''] = parts;
  if (!PRERELEASE_PART.test(first)) return { prerelease: null, variant: suffix };

  let end = 1;
  while (end < parts.length && /^\d+$/.test(parts[end] ?? '')) end += 1;
  return { prerelease: parts.slice(0, end).join('-'), variant: parts.slice(end).join('-') };
}

/**
 * The canonical text of a parsed version without prefix and build metadata, e.g. `1.2.0`,
 * `1.2.3.4-rc.1`, `16.2.0-alpine`. Tags that differ only in prefix, missing or trailing zero
 * components or build metadata (`v1.2`, `1.2.0.0`, `1.2.0+b5`) give the same text.
 */
export function formatVersion(version: ParsedVersion): string {
  const extra = [...version.extra];
  while (extra.at(-1) === 0) extra.pop();
  const core = [version.major, version.minor, version.patch, ...extra].join('.');
  const suffix = [version.prerelease, version.variant].filter((part) => part !== null && part !== '');
  return suffix.length === 0 ? core : `${core}-${suffix.join('-')}`;
}
