import { formatVersion, SKIP_SAMPLE_SIZE } from '../versions/index.ts';
import type {
  CatalogRelease,
  DateSource,
  DeployedResolution,
  FamilyChoice,
  ReleaseDating,
  SkippedTags,
} from '../versions/index.ts';

/** A gathered release as an explanation names it: its tag and its canonical version. */
export type ExplainedRelease = {
  /** As gathered, e.g. `v3.1.2`. */
  tag: string;
  /** Canonical, without prefix: `3.1.2`, `17.0.0+20240924` (see formatVersion). */
  version: string;
};

/**
 * Why an evaluation gave its answer, as plain JSON (stored in an evaluation's `details` and
 * served by the API), so that a user who disagrees can see what was compared.
 */
export type EvaluationExplanation = {
  /** The prefix family compared within ('' = `v` or no prefix); null when the deployed version did not parse. */
  family: string | null;
  /** `deployed`: the deployed version's own family; `only_family`: the only family the gathered tags form. */
  familyChosenBy: FamilyChoice['chosenBy'] | null;
  /** The variant compared within ('' for none); null when the deployed version did not parse. */
  variant: string | null;
  /** The rule's stable_only. */
  stableOnly: boolean;
  /** The gathered release taken as the deployed one, when there is one. */
  deployed:
    | (ExplainedRelease & {
        resolvedAs: DeployedResolution;
        /** Tags carrying that same release (`3.0.2`, `v3.0.2`), at most SKIP_SAMPLE_SIZE. */
        carriedBy: string[];
      })
    | null;
  /** The latest eligible release of the family and variant, when there is one. */
  latest: ExplainedRelease | null;
  /** How many gathered tags counted as eligible releases of the family and variant. */
  counted: number;
  /** The tags skipped, by reason (only reasons with tags), with counts and a few tags each. */
  skipped: SkippedTags[];
  /** days_behind: the date days were counted from; null for other rules or when no date was needed. */
  countedFrom: CountedFrom | null;
};

/** The date a days_behind value counts from. `at` is an ISO 8601 timestamp. */
export type CountedFrom = { source: DateSource; tag: string; at: string };

/** An explanation that knows nothing yet beyond the skipped tags. */
export function emptyExplanation(stableOnly: boolean, skipped: SkippedTags[]): EvaluationExplanation {
  return {
    family: null,
    familyChosenBy: null,
    variant: null,
    stableOnly,
    deployed: null,
    latest: null,
    counted: 0,
    skipped,
    countedFrom: null,
  };
}

export function explainRelease(entry: CatalogRelease): ExplainedRelease {
  return { tag: entry.release.tag, version: formatVersion(entry.version) };
}

export function explainDeployed(
  entry: CatalogRelease,
  resolvedAs: DeployedResolution,
  carriedBy: readonly string[],
): NonNullable<EvaluationExplanation['deployed']> {
  return { ...explainRelease(entry), resolvedAs, carriedBy: carriedBy.slice(0, SKIP_SAMPLE_SIZE) };
}

export function countedFrom(dating: ReleaseDating | null): CountedFrom | null {
  return dating === null ? null : { source: dating.source, tag: dating.tag, at: dating.at.toISOString() };
}
