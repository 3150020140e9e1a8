/** Keywords that make a suffix part a prerelease (compared case-insensitively). */
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
// `devel`, `prefork` and `developer` do not match because a letter follows the keyword.
const PRERELEASE_PART = new RegExp(`^(?:${PRERELEASE_KEYWORDS.join('|')})(?:[.0-9][0-9A-Za-z._]*)?$`, 'i');
const SUFFIX_PART = /^[0-9A-Za-z._]+$/;
const DIGITS = /^[0-9]+$/;

export const LETTER_AFTER_VERSION =
  'a letter directly after the version must start a prerelease keyword (`1.23rc1`, `8.4.0alpha1`)';

/** True for a suffix part that makes a release a prerelease: `rc.1`, `beta2`, `SNAPSHOT`. */
export function isPrereleasePart(part: string): boolean {
  return PRERELEASE_PART.test(part);
}

/** True when `text` up to its first `-` is a prerelease part (`rc1` of `rc1-alpine`). */
export function startsWithPrereleaseKeyword(text: string): boolean {
  const dash = text.indexOf('-');
  return isPrereleasePart(dash === -1 ? text : text.slice(0, dash));
}

export type SuffixSplit =
  | { ok: true; prerelease: string | null; variant: string; builds: string[] }
  | { ok: false; reason: 'letter_after_version' | 'malformed'; message: string };

/**
 * Splits what follows the version's numbers (the `+build` already removed) into prerelease,
 * variant and build numbers. The suffix starts at `-` or `_`, or with a prerelease keyword glued
 * to the version (`1.23rc1` reads as `1.23-rc1`), and is split on `-`. Parts that are only
 * digits (`_9`, `-20240522`) are build numbers; prerelease parts (anywhere: `noble-rc`) make the
 * prerelease; the rest, joined by `-`, is the variant.
 */
export function splitSuffix(tail: string): SuffixSplit {
  if (tail === '') return { ok: true, prerelease: null, variant: '', builds: [] };
  const first = tail[0] ?? '';
  let parts: string[];
  if (first === '-') {
    parts = tail.slice(1).split('-');
  } else if (first === '_' || /[A-Za-z]/.test(first)) {
    const dash = tail.indexOf('-');
    const head = (dash === -1 ? tail : tail.slice(0, dash)).slice(first === '_' ? 1 : 0);
    if (first !== '_' && !isPrereleasePart(head)) return { ok: false, reason: 'letter_after_version', message: LETTER_AFTER_VERSION };
    parts = dash === -1 ? [head] : [head, ...tail.slice(dash + 1).split('-')];
  } else {
    return { ok: false, reason: 'malformed', message: `unexpected \`${first}\` after the version` };
  }

  const prerelease: string[] = [];
  const variant: string[] = [];
  const builds: string[] = [];
  for (const part of parts) {
    if (!SUFFIX_PART.test(part)) {
      const message =
        part === ''
          ? 'the suffix has an empty part (`1.2.3-`, `1.2.3--alpine`)'
          : 'suffix parts hold only letters, digits, `.` and `_`, separated by `-`';
      return { ok: false, reason: 'malformed', message };
    }
    if (DIGITS.test(part)) builds.push(part);
    else if (isPrereleasePart(part)) prerelease.push(part);
    else variant.push(part);
  }
  return { ok: true, prerelease: prerelease.length === 0 ? null : prerelease.join('-'), variant: variant.join('-'), builds };
}
