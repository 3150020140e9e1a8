export {
  compareBuilds,
  compareLines,
  compareReleases,
  compareVersions,
  isSameVersion,
  releaseKey,
  versionLine,
} from './compare-versions.ts';
export { describeFamily, formatVersion } from './format-version.ts';
export { VERSION_GRAMMAR_REVISION } from './grammar-revision.ts';
export { PRERELEASE_KEYWORDS } from './parse-suffix.ts';
export { explainVersionTag, parseVersionTag, UNPARSEABLE_REASONS, VERSION_TAG_MAX_LENGTH } from './parse-version.ts';
export type { ParsedVersion, ParseVersionOptions, UnparseableReason, VersionTagReading } from './parse-version.ts';
export { catalogReleases } from './release-catalog.ts';
export type {
  AliasKind,
  CatalogEntry,
  CatalogRelease,
  DateSource,
  ReleaseCatalog,
  ReleaseDating,
} from './release-catalog.ts';
export { chooseFamily, eligibleReleases, scopeOf } from './release-scope.ts';
export type { FamilyChoice, ReleaseScope } from './release-scope.ts';
export { DEPLOYED_RESOLUTIONS, resolveDeployed } from './resolve-deployed.ts';
export type { DeployedResolution, ResolvedDeployed } from './resolve-deployed.ts';
export { compileTagFilter, releaseDate, selectLatest } from './select-latest.ts';
export type { CompiledTagFilter, ParsedRelease, ReleaseCandidate } from './select-latest.ts';
export { SKIP_REASON_MESSAGES, SKIP_REASONS, SKIP_SAMPLE_SIZE, summarizeSkippedTags } from './skipped-tags.ts';
export type { SkippedTags, SkipReason, SkipScope } from './skipped-tags.ts';
export { applySkipVersions, parseSkipVersions, SKIPPED_LIST_MAX, skipMatchers, skipOf } from './skip-versions.ts';
export type { SkipMatcher, SkippedRelease, SkipVersion } from './skip-versions.ts';
