import { compareVersions, parseVersionTag } from '../versions/index.ts';

/** A deployed version as a scrape recorded it: a kubernetes scrape may know the image digest too. */
export interface DeployedSnapshot {
  version: string;
  /** Set when the deployed image reference carries a digest (`nginx@sha256:...`). */
  imageDigest: string | null;
}

/** A gathered release with the digest its gather read, if any (oci_registry jobs, newest tags). */
export interface DigestedRelease {
  tag: string;
  digest?: string | null;
}

/** What {@link resolveDeployedImage} found: the version to evaluate, or why there is none. */
export type ResolvedDeployment = { version: string; note: string | null } | { unknown: string };

/**
 * The version of a deployed image. An image with a tag is its tag. An image pinned by digest
 * only (the scrape reports the digest as its version) is the gathered release whose digest it
 * is; several tags of one image (`1.25.3`, `1.25`, `latest`) give the highest version among
 * them. Without such a release the deployment cannot be placed: `unknown`, saying why.
 */
export function resolveDeployedImage(deployed: DeployedSnapshot, releases: readonly DigestedRelease[]): ResolvedDeployment {
  const digest = deployed.imageDigest;
  if (digest === null || deployed.version !== digest) return { version: deployed.version, note: null };
  const tags = releases.filter((release) => release.digest === digest).map((release) => release.tag);
  const known = releases.filter((release) => release.digest !== null && release.digest !== undefined).length;
  if (tags.length === 0) {
    return {
      unknown:
        known === 0
          ? `the deployed image is pinned by digest ${digest} without a tag, and the gather job knows no tag digests (an oci_registry job reads them for its newest tags)`
          : `the deployed image is pinned by digest ${digest} without a tag, and none of the ${known} tags whose digest the gather job read has it`,
    };
  }
  const versions = tags
    .map((tag) => ({ tag, parsed: parseVersionTag(tag) }))
    .filter((entry): entry is { tag: string; parsed: NonNullable<typeof entry.parsed> } => entry.parsed !== null)
    .sort((a, b) => compareVersions(b.parsed, a.parsed));
  const best = versions[0];
  if (best === undefined) {
    return { unknown: `the deployed image is pinned by digest ${digest}, which only tags without a version carry (${tags.slice(0, 5).join(', ')})` };
  }
  return { version: best.tag, note: `deployed image ${digest} is tag ${best.tag}` };
}
