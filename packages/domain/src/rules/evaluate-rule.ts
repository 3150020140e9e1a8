import { catalogReleases } from '../versions/index.ts';
import type { DateSource, ReleaseCandidate, ReleaseCatalog, ReleaseDating } from '../versions/index.ts';
import { compareDeployed } from './compare-deployed.ts';
import { countedFrom } from './explanation.ts';
import type { EvaluationExplanation } from './explanation.ts';
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

/** evaluateCatalogRule's input: the gather job's releases already read by `catalogReleases`. */
export type CatalogRuleEvaluationInput = Omit<RuleEvaluationInput, 'releases' | 'tagFilter'> & {
  catalog: ReleaseCatalog;
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
  /** What was compared and what was skipped, as JSON (see EvaluationExplanation). */
  explanation: EvaluationExplanation;
};

export type UnknownEvaluation = {
  status: 'unknown';
  /** Human-readable: why there is no result. */
  reason: string;
  deployedVersion: string | null;
  /** The latest eligible release's tag when it could be determined. */
  latestVersion: string | null;
  /** What could be told before the evaluation stopped (see EvaluationExplanation). */
  explanation: EvaluationExplanation;
};

/** The result of comparing a deployed version with the gathered releases under one rule. */
export type RuleEvaluation = OkEvaluation | UnknownEvaluation;

/**
 * Compares the deployed version with a gather job's releases under a rule (DESIGN.md section 4):
 * reads the releases with `catalogReleases` (tag filter first), then `evaluateCatalogRule`.
 * Linear in the number of releases; to evaluate many deployed versions against one gather job,
 * make the catalog once and call `evaluateCatalogRule`.
 */
export function evaluateRule(input: RuleEvaluationInput): RuleEvaluation {
  const { releases, tagFilter, ...rest } = input;
  return evaluateCatalogRule({ ...rest, catalog: catalogReleases(releases, tagFilter) });
}

/**
 * Compares the deployed version with a catalog of gathered releases under a rule (see
 * `compareDeployed` for the steps and when the status is `unknown`): the behind-by value is the
 * rule type's, with its severity. A deployed prerelease is matched even when `stableOnly` is
 * on: it is what runs. Every result carries its explanation; a days_behind result also says
 * which date it counted from.
 */
export function evaluateCatalogRule(input: CatalogRuleEvaluationInput): RuleEvaluation {
  const { rule } = input;
  const comparison = compareDeployed(input.catalog, input.deployedVersion, { stableOnly: rule.stableOnly, now: input.now });
  if (comparison.status === 'unknown') {
    const { reason, deployedVersion, latestVersion, explanation } = comparison;
    return { status: 'unknown', reason, deployedVersion, latestVersion, explanation };
  }
  const notes = [...comparison.notes];
  let behindBy: number;
  let from: ReleaseDating | null = null;
  switch (rule.type) {
    case 'days_behind':
      behindBy = comparison.days.days;
      from = comparison.days.countedFrom;
      notes.push(...daysNotes(comparison.days.countedFrom, comparison.deployedCarriedBy));
      break;
    case 'majors_behind':
      behindBy = comparison.majorsBehind;
      break;
    case 'minors_behind':
      behindBy = comparison.minorsBehind;
      break;
  }
  return {
    status: 'ok',
    deployedVersion: comparison.deployedVersion,
    latestVersion: comparison.latestVersion,
    behindBy,
    severity: severityFor(behindBy, rule),
    ...(from === null ? {} : { dateSource: from.source }),
    notes,
    explanation: { ...comparison.explanation, countedFrom: countedFrom(from) },
  };
}

/** True when the evaluation found a violation, i.e. a result with a severity. */
export function isViolation(evaluation: RuleEvaluation): evaluation is OkEvaluation & { severity: Severity } {
  return evaluation.status === 'ok' && evaluation.severity !== null;
}

/** What a days_behind result says about its date. */
export function daysNotes(from: ReleaseDating | null, carriedBy: readonly string[]): string[] {
  if (from === null) return [];
  const notes: string[] = [];
  if (carriedBy.length > 1) {
    notes.push(`tags ${carriedBy.join(', ')} carry the deployed release; days count from the earliest of their dates (${from.tag}'s)`);
  }
  if (from.source === 'first_seen') {
    notes.push(
      `release ${from.tag} has no publish date; days are counted from when it was first gathered (${from.at.toISOString()})`,
    );
  }
  return notes;
}
