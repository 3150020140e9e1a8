import type { ParsedVersion } from './parse-version.ts';
import type { CatalogRelease, ReleaseCatalog } from './release-catalog.ts';

/**
 * The prefix family an evaluation compares within: the deployed version's own, or, when no
 * gathered tag is of that family and the tags that parse form exactly one family, that one
 * (a manual `2.3.0` against tags `release-2.4.0`).
 */
export type FamilyChoice = { family: string; chosenBy: 'deployed' | 'only_family' };

/** The family and variant a deployed version is compared within, and their tags. */
export type ReleaseScope = FamilyChoice & {
  variant: string;
  /** The tags of that family and variant that parse, aliases included, in the order given. */
  tags: CatalogRelease[];
  /** Those that are releases of their own (no aliases). */
  releases: CatalogRelease[];
};

/** Chooses the family per DESIGN.md section 4 (see `FamilyChoice`). */
export function chooseFamily(catalog: ReleaseCatalog, deployedFamily: string): FamilyChoice {
  if (!catalog.families.has(deployedFamily) && catalog.families.size === 1) {
    const [only = deployedFamily] = catalog.families.keys();
    return { family: only, chosenBy: 'only_family' };
  }
  return { family: deployedFamily, chosenBy: 'deployed' };
}

/** The scope of a deployed version: its family (see `chooseFamily`) and its variant. */
export function scopeOf(catalog: ReleaseCatalog, deployed: ParsedVersion): ReleaseScope {
  const choice = chooseFamily(catalog, deployed.family);
  const tags = catalog.parsed.filter(
    ({ version }) => version.family === choice.family && version.variant === deployed.variant,
  );
  return { ...choice, variant: deployed.variant, tags, releases: tags.filter((entry) => entry.alias === null) };
}

/**
 * The releases that may count as latest and as minors behind: the scope's releases, without
 * prereleases (by suffix or by the source's flag) when `stableOnly`.
 */
export function eligibleReleases(scope: ReleaseScope, stableOnly: boolean): CatalogRelease[] {
  return stableOnly ? scope.releases.filter(({ version }) => !version.isPrerelease) : scope.releases;
}
