import {
  compareVersions,
  compileTagFilter,
  eligibleReleases,
  findDeployedRelease,
  parseReleases,
  parseVersionTag,
  selectLatest,
} from '../versions/index.ts';
import type { ParsedRelease, ParsedVersion, ReleaseCandidate } from '../versions/index.ts';
import { daysBehind, majorsBehind, minorsBehind } from './behind-by.ts';
import type { DateSource } from './behind-by.ts';
import { severityFor } from './severity.ts';
import type { Severity, SeverityThresholds } from './severity.ts';

export const RULE_TYPES = ['days_behind', 'majors_behind', 'minors_behind'] as const;

export type RuleType = (typeof RULE_TYPES)[number];

/** What evaluateRule needs of a rule: its type, thresholds and stable_only flag. */
export type RuleDefinition = SeverityThresholds & {
  type: RuleType;
  stableOnly: boolean;
};

export type RuleEvaluationInput = {
  rule: RuleDefinition;
  /** The deployed version as scraped or entered; null when none is known yet. */
  deployedVersion: string | null;
  /** Every release the gather job stored. */
  releases: readonly ReleaseCandidate[];
  /** The gather job's tag filter regex, if any. */
  tagFilter?: string | null;
  now: Date;
};

export type OkEvaluation = {
  status: 'ok';
  /** As scraped or entered (trimmed), e.g. `1.2` even when it matched the tag `v1.2.0`. */
  deployedVersion: string;
  /** The latest release's tag as gathered, e.g. `v1.8.0`. */
  latestVersion: string;
  behindBy: number;
  /** Null when behindBy is below the moderate threshold: no violation. */
  severity: Severity | null;
  /** days_behind only, when a date was used: publish date or first gathered. */
  dateSource?: DateSource;
  /** Human-readable remarks worth showing beside the result. */
  notes: string[];
};

export type UnknownEvaluation = {
  status: 'unknown';
  /** Human-readable: why there is no result. */
  reason: string;
  deployedVersion: string | null;
  /** The latest eligible release's tag when it could be determined. */
  latestVersion: string | null;
};

/** The result of comparing a deployed version with the gathered releases under one rule. */
export type RuleEvaluation = OkEvaluation | UnknownEvaluation;

/**
 * Compares the deployed version with the gathered releases under a rule (DESIGN.md section 4).
 *
 * Steps: the tag filter applies first; the deployed version is matched to a gathered release
 * by parsed version and variant (`1.2` matches `v1.2.0`); the latest is the highest eligible
 * release of that variant (no prereleases when `stableOnly`); the behind-by value and its
 * severity follow from the rule type.
 *
 * Status is `unknown`, with a reason, when there is no deployed version, the tag filter is not
 * a valid regex, the deployed version does not parse or is not among the gathered releases of
 * its variant (also when it is newer than all of them), or no release is eligible. A deployed
 * prerelease is matched even when `stableOnly` is on: it is what runs.
 */
export function evaluateRule(input: RuleEvaluationInput): RuleEvaluation {
  const { rule } = input;
  const deployedText = input.deployedVersion?.trim() ?? '';
  if (deployedText === '') return unknown('no deployed version yet', null, null);

  if (!compileTagFilter(input.tagFilter).ok) {
    return unknown(`tag filter "${input.tagFilter ?? ''}" is not a valid regular expression`, deployedText, null);
  }
  const deployed = parseVersionTag(deployedText);
  if (deployed === null) return unknown(`deployed version "${deployedText}" does not parse`, deployedText, null);

  const releases = parseReleases(input.releases, input.tagFilter);
  const eligible = eligibleReleases(releases, { variant: deployed.variant, stableOnly: rule.stableOnly });
  const latest = selectLatest(eligible);
  const latestTag = latest?.release.tag ?? null;

  const match = findDeployedRelease(deployed, releases);
  if (match === null) return unknown(notAmongReason(deployed, releases), deployedText, latestTag);
  if (latest === null) {
    const scope = rule.stableOnly ? ' (stable only: prereleases excluded)' : '';
    return unknown(`no eligible upstream release of variant "${deployed.variant}"${scope}`, deployedText, null);
  }

  const notes: string[] = [];
  if (rule.stableOnly && match.version.isPrerelease) {
    notes.push(
      `deployed version ${deployedText} is a prerelease; it is compared although stable only ` +
        'keeps prereleases out of the latest lookup and the count',
    );
  }
  const measured = measure(rule, match, latest, eligible, input.now);
  if (measured.dateSource === 'first_seen') {
    const firstSeen = match.release.firstSeenAt.toISOString();
    notes.push(
      `release ${match.release.tag} has no publish date; days are counted from when it was first gathered (${firstSeen})`,
    );
  }
  return {
    status: 'ok',
    deployedVersion: deployedText,
    latestVersion: latest.release.tag,
    behindBy: measured.behindBy,
    severity: severityFor(measured.behindBy, rule),
    ...(measured.dateSource === null ? {} : { dateSource: measured.dateSource }),
    notes,
  };
}

/** True when the evaluation found a violation, i.e. a result with a severity. */
export function isViolation(evaluation: RuleEvaluation): evaluation is OkEvaluation & { severity: Severity } {
  return evaluation.status === 'ok' && evaluation.severity !== null;
}

function measure(
  rule: RuleDefinition,
  deployed: ParsedRelease,
  latest: ParsedRelease,
  eligible: readonly ParsedRelease[],
  now: Date,
): { behindBy: number; dateSource: DateSource | null } {
  switch (rule.type) {
    case 'days_behind': {
      const { days, dateSource } = daysBehind(deployed, latest.version, now);
      return { behindBy: days, dateSource };
    }
    case 'majors_behind':
      return { behindBy: majorsBehind(deployed.version, latest.version), dateSource: null };
    case 'minors_behind': {
      const versions = eligible.map(({ version }) => version);
      return { behindBy: minorsBehind(deployed.version, latest.version, versions), dateSource: null };
    }
  }
}

function notAmongReason(deployed: ParsedVersion, releases: readonly ParsedRelease[]): string {
  const ofVariant = releases.filter(({ version }) => version.variant === deployed.variant);
  const scope = `of variant "${deployed.variant}"`;
  if (ofVariant.length === 0) {
    return `deployed version ${deployed.tag} is not among the gathered releases (none ${scope})`;
  }
  const newest = selectLatest(ofVariant);
  const isNewest = newest !== null && compareVersions(deployed, newest.version) > 0;
  const newer = isNewest ? ', and is newer than all of them' : '';
  const count = ofVariant.length === 1 ? 'the 1 gathered release' : `the ${ofVariant.length} gathered releases`;
  return `deployed version ${deployed.tag} is not among ${count} ${scope}${newer}`;
}

function unknown(reason: string, deployedVersion: string | null, latestVersion: string | null): UnknownEvaluation {
  return { status: 'unknown', reason, deployedVersion, latestVersion };
}
