import type { ParsedVersion } from './parse-version.ts';

/**
 * The canonical text of a parsed version without its prefix: `1.2.0`, `1.2.3.4-rc.1`,
 * `16.2.0-alpine`, `21.0.3-jdk-jammy+9`, `17.0.0+20240522`. Prerelease before variant, build
 * numbers after `+`; missing or trailing zero parts after the patch are dropped (`v1.2` and
 * `1.2.0.0` give `1.2.0`). Parsing `prefix + formatVersion(v)` gives `v` back.
 */
export function formatVersion(version: ParsedVersion): string {
  const extra = [...version.extra];
  while (extra.at(-1) === 0) extra.pop();
  const core = [version.major, version.minor, version.patch, ...extra].join('.');
  const suffix = [version.prerelease, version.variant].filter((part) => part !== null && part !== '');
  const build = version.build === null ? '' : `+${version.build}`;
  return `${suffix.length === 0 ? core : `${core}-${suffix.join('-')}`}${build}`;
}

/** A family for people: `"controller-"`, or `v or no prefix` for ''. */
export function describeFamily(family: string): string {
  return family === '' ? 'v or no prefix' : `"${family}"`;
}
