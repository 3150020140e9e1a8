import { compareBuilds, compareVersions, releaseKey } from './compare-versions.ts';
import type { ParsedVersion } from './parse-version.ts';
import { isTwoPartLineTag } from './release-catalog.ts';
import type { CatalogRelease } from './release-catalog.ts';
import type { ReleaseScope } from './release-scope.ts';
import { selectLatest } from './select-latest.ts';

/**
 * How the deployed version was matched to a gathered release:
 * - `release`: the release of that version, variant and build;
 * - `newest_build`: a build-less version taken as its newest build (no release without one);
 * - `line_alias`: a two-part version that floats with its line, taken as the line's highest
 *   release that `stable_only` allows.
 */
export const DEPLOYED_RESOLUTIONS = ['release', 'newest_build', 'line_alias'] as const;

export type DeployedResolution = (typeof DEPLOYED_RESOLUTIONS)[number];

export type ResolvedDeployed =
  | {
      ok: true;
      /** The gathered tag taken as the deployed release (its spelling when gathered, else the earliest-dated). */
      release: CatalogRelease;
      resolvedAs: DeployedResolution;
      /** Every tag that carries that release (`3.0.2`, `v3.0.2`), in code-unit order. */
      carriedBy: string[];
    }
  | { ok: false; problem: 'not_gathered' | 'alias_without_release' };

/**
 * Finds the gathered release a deployed version stands for (DESIGN.md section 4), by family,
 * version, variant and build number, not by string: `1.2.0` matches `v1.2.0`.
 *
 * - With a build number, the release of exactly that build.
 * - Without one, the release without a build; where the version has only builds (odoo's
 *   `17.0`, whose build-less tag is an alias), the newest build. Decided beyond the text: any
 *   build counts here, not only digit-only ones (`1.29.3` finds `v1.29.3+k3s1`).
 * - A two-part version without prerelease or build (`3.1`) is an alias of its line when the tags
 *   carrying it are line aliases, or, when no gathered tag carries it, when its line has a
 *   major.minor.patch tag; it is then taken as the highest release of the line that `stableOnly`
 *   allows (`alias_without_release` when there is none). Otherwise it is version x.y.0.
 *
 * A deployed prerelease is matched even when `stableOnly` is on: it is what runs.
 */
export function resolveDeployed(scope: ReleaseScope, deployed: ParsedVersion, stableOnly: boolean): ResolvedDeployed {
  if (isTwoPartLineTag(deployed) && floatsWithLine(scope, deployed)) {
    const ofLine = scope.releases.filter(
      ({ version }) =>
        version.major === deployed.major && version.minor === deployed.minor && !(stableOnly && version.isPrerelease),
    );
    const highest = selectLatest(ofLine);
    if (highest === null) return { ok: false, problem: 'alias_without_release' };
    return matched(scope, highest, 'line_alias');
  }

  const sameVersion = scope.releases.filter(({ version }) => compareVersions(version, deployed) === 0);
  if (deployed.build !== null) {
    const build = sameVersion.filter(({ version }) => compareBuilds(version.build, deployed.build) === 0);
    return build.length === 0 ? { ok: false, problem: 'not_gathered' } : matched(scope, representative(build, deployed.tag), 'release');
  }
  const buildless = sameVersion.filter(({ version }) => version.build === null);
  if (buildless.length > 0) return matched(scope, representative(buildless, deployed.tag), 'release');
  const newest = selectLatest(sameVersion);
  return newest === null ? { ok: false, problem: 'not_gathered' } : matched(scope, newest, 'newest_build');
}

function floatsWithLine(scope: ReleaseScope, deployed: ParsedVersion): boolean {
  const sameLine = (version: ParsedVersion) => version.major === deployed.major && version.minor === deployed.minor;
  const carriers = scope.tags.filter(({ version }) => isTwoPartLineTag(version) && sameLine(version));
  if (carriers.length > 0) return carriers.some((entry) => entry.alias === 'line_alias');
  return scope.tags.some(({ version }) => version.parts >= 3 && sameLine(version));
}

function matched(scope: ReleaseScope, release: CatalogRelease, resolvedAs: DeployedResolution): ResolvedDeployed {
  const key = releaseKey(release.version);
  const carriedBy = scope.releases
    .filter((entry) => releaseKey(entry.version) === key)
    .map((entry) => entry.release.tag)
    .sort();
  return { ok: true, release, resolvedAs, carriedBy: [...new Set(carriedBy)] };
}

/** Among tags carrying one release: the deployed spelling, else the earliest-dated, else tag text. */
function representative(carriers: readonly CatalogRelease[], deployedTag: string): CatalogRelease {
  const byText = [...carriers].sort((a, b) => (a.release.tag < b.release.tag ? -1 : a.release.tag > b.release.tag ? 1 : 0));
  const [first] = byText;
  if (first === undefined) throw new Error('representative needs at least one tag');
  return (
    byText.find((entry) => entry.release.tag === deployedTag) ??
    byText.find((entry) => entry.release.tag === entry.dated.tag) ??
    first
  );
}
