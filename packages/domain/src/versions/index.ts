export { compareLines, compareVersions, isSameVersion, versionLine } from './compare-versions.ts';
export { formatVersion, parseVersionTag, PRERELEASE_KEYWORDS } from './parse-version.ts';
export type { ParsedVersion, ParseVersionOptions } from './parse-version.ts';
export {
  compileTagFilter,
  eligibleReleases,
  findDeployedRelease,
  parseReleases,
  releaseDate,
  selectLatest,
} from './select-latest.ts';
export type { CompiledTagFilter, EligibilityOptions, ParsedRelease, ReleaseCandidate } from './select-latest.ts';
