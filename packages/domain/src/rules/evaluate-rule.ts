import { applySkipVersions, catalogReleases, SKIPPED_LIST_MAX } from '../versions/index.ts';
import type { DateSource, ReleaseCandidate, ReleaseCatalog, ReleaseDating, SkippedRelease, SkipVersion } from '../versions/index.ts';
import { compareDeployed } from './compare-deployed.ts';
import { endOfLife, eolSeverity } from './end-of-life.ts';
import type { EndOfLife, EolCycle } from './end-of-life.ts';
import { countedFrom } from './explanation.ts';
import type { EvaluationExplanation } from './explanation.ts';
import { severityFor } from './severity.ts';
import type { Severity, SeverityThresholds } from './severity.ts';

export const RULE_TYPES = ['days_behind', 'majors_behind', 'minors_behind'] as const;

export type RuleType = (typeof RULE_TYPES)[number];

/** Every rule type: the version-lag types above, libyear (years between release dates) and eol (days left before end of life). */
export const ALL_RULE_TYPES = [...RULE_TYPES, 'libyear', 'eol'] as const;

/** Any rule type a rule may have. */
export type AnyRuleType = (typeof ALL_RULE_TYPES)[number];

/** What evaluateRule needs of a rule: its type, thresholds and stable_only flag. */
export type RuleDefinition = SeverityThresholds & {
  type: AnyRuleType;
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
  /** Releases skipped by the alert config and the gather job: never latest, never counted. */
  skipVersions?: readonly SkipVersion[];
  /** Release cycles of the linked endoflife gather job; null or absent when none is linked. */
  cycles?: readonly EolCycle[] | null;
  now: Date;
};

/** evaluateCatalogRule's input: the gather job's releases, less the skipped ones, already read by `catalogReleases`. */
export type CatalogRuleEvaluationInput = Omit<RuleEvaluationInput, 'releases' | 'tagFilter' | 'skipVersions'> & {
  catalog: ReleaseCatalog;
  /** What `applySkipVersions` left out before the catalog was made. */
  skipped?: readonly SkippedRelease[];
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
  /** Years between the deployed release's publish date and the latest's; null without both dates. */
  libyear: number | null;
  /** Releases left out by skip entries (at most SKIPPED_LIST_MAX listed). */
  skipped: SkippedRelease[];
  /** The deployed version's release cycle and days left before its end of life, when known. */
  eol: EndOfLife | null;
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
  /** Releases left out by skip entries (at most SKIPPED_LIST_MAX listed). */
  skipped: SkippedRelease[];
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
  const { releases, tagFilter, skipVersions = [], ...rest } = input;
  const kept = applySkipVersions(releases, skipVersions, input.deployedVersion);
  return evaluateCatalogRule({ ...rest, catalog: catalogReleases(kept.releases, tagFilter), skipped: kept.skipped });
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
  const skipped = (input.skipped ?? []).slice(0, SKIPPED_LIST_MAX);
  const comparison = compareDeployed(input.catalog, input.deployedVersion, { stableOnly: rule.stableOnly, now: input.now });
  if (rule.type === 'eol') return evaluateEndOfLife(input, comparison, skipped);
  if (comparison.status === 'unknown') {
    const { reason, deployedVersion, latestVersion, explanation } = comparison;
    return { status: 'unknown', reason, deployedVersion, latestVersion, explanation, skipped };
  }
  const notes = [...comparison.notes, ...skipNotes(input.skipped ?? [])];
  const eol = input.cycles === undefined ? null : endOfLife(comparison.deployedVersion, input.cycles, input.now);
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
    case 'libyear':
      if (comparison.libyear === null) {
        const reason = 'libyear needs a publish date for both the deployed release and the latest; one of them was only first gathered';
        return { status: 'unknown', reason, deployedVersion: comparison.deployedVersion, latestVersion: comparison.latestVersion, explanation: comparison.explanation, skipped };
      }
      behindBy = comparison.libyear;
      break;
  }
  return {
    status: 'ok',
    deployedVersion: comparison.deployedVersion,
    latestVersion: comparison.latestVersion,
    behindBy,
    severity: severityFor(behindBy, rule),
    ...(from === null ? {} : { dateSource: from.source }),
    libyear: comparison.libyear,
    skipped,
    eol: eol?.ok ? eol.eol : null,
    notes,
    explanation: { ...comparison.explanation, countedFrom: countedFrom(from) },
  };
}

/**
 * An `eol` rule: days left before the deployed version's cycle reaches end of life, against
 * thresholds that run downwards. It needs the cycles, not a comparison with the gathered releases
 * (an endoflife job gathers only each cycle's latest version), so only the latest version and
 * libyear come from the comparison, when it has them.
 */
function evaluateEndOfLife(input: CatalogRuleEvaluationInput, comparison: ReturnType<typeof compareDeployed>, skipped: SkippedRelease[]): RuleEvaluation {
  const deployedVersion = input.deployedVersion?.trim() || null;
  const eol = endOfLife(deployedVersion, input.cycles ?? null, input.now);
  const { explanation } = comparison;
  if (!eol.ok) return { status: 'unknown', reason: eol.reason, deployedVersion, latestVersion: comparison.latestVersion, explanation, skipped };
  const daysLeft = eol.eol.daysLeft ?? 0;
  const cycle = (input.cycles ?? []).find((c) => c.name === eol.eol.cycle);
  const ok = comparison.status === 'ok' ? comparison : null;
  const when = daysLeft < 0 ? `reached end of life ${-daysLeft} days ago` : daysLeft === 0 ? 'reaches end of life today' : `reaches end of life in ${daysLeft} days`;
  return {
    status: 'ok',
    deployedVersion: deployedVersion ?? '',
    latestVersion: ok?.latestVersion ?? cycle?.latestVersion ?? eol.eol.cycle,
    behindBy: daysLeft,
    severity: eolSeverity(daysLeft, input.rule),
    libyear: ok?.libyear ?? null,
    skipped,
    eol: eol.eol,
    notes: [`release cycle ${eol.eol.cycle} ${when} (${eol.eol.eolDate})`, ...(ok?.notes ?? [])],
    explanation: { ...explanation, countedFrom: null },
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

/** Says which releases skip entries left out, and why: the latest answer may have changed because of them. */
function skipNotes(skipped: readonly SkippedRelease[]): string[] {
  if (skipped.length === 0) return [];
  const shown = skipped.slice(0, 5).map(({ tag, reason }) => (reason ? `${tag} (${reason})` : tag));
  const more = skipped.length > 5 ? ` and ${skipped.length - 5} more` : '';
  return [`skipped ${skipped.length === 1 ? 'release' : 'releases'} ${shown.join(', ')}${more}: never latest, never counted`];
}
