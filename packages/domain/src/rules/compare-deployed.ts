import {
  compareReleases,
  describeFamily,
  eligibleReleases,
  explainVersionTag,
  resolveDeployed,
  scopeOf,
  selectLatest,
  summarizeSkippedTags,
  versionLine,
} from '../versions/index.ts';
import type { ParsedVersion, ReleaseCatalog, ReleaseScope } from '../versions/index.ts';
import { daysBehind, libyear, majorsBehind, minorsBehind } from './behind-by.ts';
import type { DaysBehind } from './behind-by.ts';
import { emptyExplanation, explainDeployed, explainRelease } from './explanation.ts';
import type { EvaluationExplanation } from './explanation.ts';

/** The deployed version against a catalog, measured every way the rules measure. */
export type DeployedComparison =
  | {
      status: 'ok';
      /** As scraped or entered (trimmed). */
      deployedVersion: string;
      /** The latest release's tag as gathered. */
      latestVersion: string;
      majorsBehind: number;
      minorsBehind: number;
      days: DaysBehind;
      /** Years between the deployed release's publish date and the latest's; null without both dates. */
      libyear: number | null;
      /** Tags carrying the deployed release (its date is the earliest of theirs). */
      deployedCarriedBy: string[];
      /** Remarks worth showing beside any result (days_behind adds its own). */
      notes: string[];
      /** Its `countedFrom` is left null: only days_behind reports it. */
      explanation: EvaluationExplanation;
    }
  | {
      status: 'unknown';
      reason: string;
      deployedVersion: string | null;
      latestVersion: string | null;
      explanation: EvaluationExplanation;
    };

/**
 * Compares a deployed version with a catalog of gathered releases (DESIGN.md section 4): the
 * deployed version's family (or the only family there is) and variant decide the candidates;
 * the deployed version is resolved to a gathered release (see `resolveDeployed`); the latest is
 * the highest eligible release of that scope; majors, minors and days behind follow.
 *
 * Unknown, with a reason, when there is no deployed version, the tag filter does not compile,
 * the deployed version does not parse, is not among the gathered releases of its scope (also when
 * newer than all of them) or is an alias of a line with no allowed release, or no release is eligible.
 */
export function compareDeployed(
  catalog: ReleaseCatalog,
  deployedVersion: string | null,
  options: { stableOnly: boolean; now: Date },
): DeployedComparison {
  const { stableOnly } = options;
  const deployedText = deployedVersion?.trim() ?? '';
  const unscoped = () => emptyExplanation(stableOnly, summarizeSkippedTags(catalog, null, stableOnly).skipped);
  if (deployedText === '') return unknown('no deployed version yet', null, null, unscoped());
  if (catalog.filterError !== null) {
    const reason = `tag filter "${catalog.tagFilter ?? ''}" is not a valid regular expression`;
    return unknown(reason, deployedText, null, unscoped());
  }
  if (catalog.stoppedAfter !== null) {
    const through = catalog.tagFilter ? ` through tag filter "${catalog.tagFilter}"` : '';
    const { read, of } = catalog.stoppedAfter;
    const remedy = catalog.tagFilter ? 'a simpler tag filter fixes it' : 'the gather job has more tags than can be read in time';
    const reason = `evaluation stopped: reading the gathered tags${through} ran past the rules-engine's time budget (${read} of ${of} tags read); ${remedy}`;
    return unknown(reason, deployedText, null, emptyExplanation(stableOnly, []));
  }
  const reading = explainVersionTag(deployedText);
  if (!reading.ok) return unknown(`deployed version "${deployedText}" does not parse: ${reading.message}`, deployedText, null, unscoped());
  const deployed = reading.version;

  const scope = scopeOf(catalog, deployed);
  const eligible = eligibleReleases(scope, stableOnly);
  const latest = selectLatest(eligible);
  const { skipped, counted } = summarizeSkippedTags(catalog, scope, stableOnly);
  const explanation: EvaluationExplanation = {
    ...emptyExplanation(stableOnly, skipped),
    family: scope.family,
    familyChosenBy: scope.chosenBy,
    variant: scope.variant,
    counted,
    latest: latest === null ? null : explainRelease(latest),
  };
  const latestTag = latest?.release.tag ?? null;

  const resolved = resolveDeployed(scope, deployed, stableOnly);
  if (!resolved.ok) {
    const reason =
      resolved.problem === 'alias_without_release'
        ? `deployed version ${deployedText} is a moving alias of line ${versionLine(deployed)}, which has no release${stableOnly ? ' that stable only allows' : ''}`
        : notAmongReason(deployedText, deployed, scope, catalog);
    return unknown(reason, deployedText, latestTag, explanation);
  }
  explanation.deployed = explainDeployed(resolved.release, resolved.resolvedAs, resolved.carriedBy);
  if (latest === null) {
    const stable = stableOnly ? ' (stable only: prereleases excluded)' : '';
    return unknown(`no eligible upstream release ${describeScope(scope)}${stable}`, deployedText, null, explanation);
  }

  const match = resolved.release;
  const notes: string[] = [];
  if (scope.chosenBy === 'only_family') {
    notes.push(
      `no gathered tag is of the deployed version's family (${describeFamily(deployed.family)}); ` +
        `the tags that parse are all of family ${describeFamily(scope.family)}, so it is compared within that`,
    );
  }
  // Said only when the line's highest release is not x.y.0 itself: a deployed `1.2` taken as
  // `v1.2.0` compares as anyone would expect.
  if (resolved.resolvedAs === 'line_alias' && compareReleases(match.version, deployed) !== 0) {
    const allowed = stableOnly ? ' that stable only allows' : '';
    notes.push(
      `deployed version ${deployedText} is a moving alias of line ${versionLine(deployed)}; ` +
        `taken as ${match.release.tag}, the highest release of that line${allowed}`,
    );
  } else if (resolved.resolvedAs === 'newest_build') {
    notes.push(`deployed version ${deployedText} has no release without a build number; taken as its newest build, ${match.release.tag}`);
  }
  if (stableOnly && match.version.isPrerelease) {
    notes.push(
      `deployed version ${deployedText} is a prerelease; it is compared although stable only ` +
        'keeps prereleases out of the latest lookup and the count',
    );
  }
  return {
    status: 'ok',
    deployedVersion: deployedText,
    latestVersion: latest.release.tag,
    majorsBehind: majorsBehind(match.version, latest.version),
    minorsBehind: minorsBehind(match.version, latest.version, eligible.map(({ version }) => version)),
    days: daysBehind(match, latest.version, options.now),
    libyear: libyear(match, latest),
    deployedCarriedBy: resolved.carriedBy,
    notes,
    explanation,
  };
}

/** `of variant "alpine"`, or `of family "helm-chart-" and variant ""` outside the `v` family. */
function describeScope(scope: { family: string; variant: string }): string {
  const variant = `variant "${scope.variant}"`;
  return scope.family === '' ? `of ${variant}` : `of family "${scope.family}" and ${variant}`;
}

function notAmongReason(deployedText: string, deployed: ParsedVersion, scope: ReleaseScope, catalog: ReleaseCatalog): string {
  const where = describeScope(scope);
  const count = scope.releases.length;
  if (count === 0) {
    const families = [...catalog.families.keys()].filter((family) => family !== scope.family);
    const others =
      families.length === 0 || catalog.families.has(scope.family)
        ? ''
        : `; the gathered tags are of famil${families.length === 1 ? 'y' : 'ies'} ${families.slice(0, 5).map(describeFamily).join(', ')}${families.length > 5 ? ', ...' : ''}`;
    return `deployed version ${deployedText} is not among the gathered releases (none ${where}${others})`;
  }
  const newest = selectLatest(scope.releases);
  const isNewest = newest !== null && compareReleases(deployed, newest.version) > 0;
  const newer = isNewest ? ', and is newer than all of them' : '';
  const releases = count === 1 ? 'the 1 gathered release' : `the ${count} gathered releases`;
  return `deployed version ${deployedText} is not among ${releases} ${where}${newer}`;
}

function unknown(
  reason: string,
  deployedVersion: string | null,
  latestVersion: string | null,
  explanation: EvaluationExplanation,
): DeployedComparison {
  return { status: 'unknown', reason, deployedVersion, latestVersion, explanation };
}
