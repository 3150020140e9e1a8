import {
  applySkipVersions,
  catalogReleases,
  explainVersionTag,
  skipMatchers,
  skipOf,
  decideAlert,
  evaluateCatalogRule,
  resolveDeployedImage,
  type AlertDecision,
  type DeployedSnapshot,
  type DigestedRelease,
  type EolCycle,
  type LifecycleEvaluation,
  type OpenAlertState,
  type ReleaseCandidate,
  type ReleaseCatalog,
  type RuleDefinition,
  type RuleEvaluation,
  type SkippedRelease,
  type SkipVersion,
} from '@planekeeper/domain';

/** An alert config as deciding it needs it: where its versions come from, and its rule. */
export interface ConfigToDecide {
  id: string;
  enabled: boolean;
  gatherJobId: string;
  scrapeJobId: string;
  rule: RuleDefinition;
  /** The gather job's tag filter regex, if any. */
  tagFilter: string | null;
  /** Releases the config and its gather job skip (never latest, never counted). */
  skipVersions?: readonly SkipVersion[];
  /** The endoflife gather job whose release cycles the config reads; null or absent for none. */
  cyclesJobId?: string | null;
}

/** A gathered release as deciding reads it: with the image digest its gather read, if any. */
export type GatheredRelease = ReleaseCandidate & DigestedRelease;

/**
 * Evaluates a config's rule for a deployed version against its gather job's releases. Within a
 * run, a gather job's releases are read into a release catalog once per tag filter (parsing,
 * aliases and dates of every tag: the costly part, the same for every rule and deployed version),
 * and each (catalog, rule, deployed version) is evaluated once: thousands of configs of one
 * gather job mostly share a few deployed versions. A run must therefore pass the same releases
 * for a gather job every time; later calls reuse the catalog made from the first.
 */
export type RuleEvaluator = (config: ConfigToDecide, deployedVersion: string | null, releases: readonly ReleaseCandidate[], cycles?: readonly EolCycle[] | null) => RuleEvaluation;

/**
 * A memoizing {@link RuleEvaluator} for one run, at one instant `now`. `overBudget` (asked while
 * a catalog is read) stops a catalog that takes too long: its configs evaluate `unknown`, saying
 * so, and the stopped catalog is kept, so the run does not read those tags again.
 */
export function createRuleEvaluator(now: Date, overBudget?: () => boolean): RuleEvaluator {
  const catalogs = new Map<string, { catalog: ReleaseCatalog; skipped: SkippedRelease[] }>();
  const memo = new Map<string, RuleEvaluation>();
  return (config, deployedVersion, releases, cycles) => {
    const { rule } = config;
    const skips = config.skipVersions ?? [];
    // The deployed release is kept even when a skip entry names it, so only then does the
    // catalog depend on the deployed version.
    const deployedKey = skips.length > 0 && deployedIsSkipped(skips, deployedVersion) ? deployedVersion : null;
    const source = JSON.stringify([config.gatherJobId, config.tagFilter, skips, deployedKey]);
    const key = JSON.stringify([source, config.cyclesJobId ?? null, rule.type, rule.moderate, rule.high, rule.critical, rule.stableOnly, deployedVersion]);
    let evaluation = memo.get(key);
    if (evaluation === undefined) {
      let read = catalogs.get(source);
      if (read === undefined) {
        const kept = applySkipVersions(releases, skips, deployedKey);
        read = { catalog: catalogReleases(kept.releases, config.tagFilter, overBudget ? { overBudget } : {}), skipped: kept.skipped };
        catalogs.set(source, read);
      }
      const linked = config.cyclesJobId ? { cycles: cycles ?? [] } : rule.type === 'eol' ? { cycles: null } : {};
      evaluation = evaluateCatalogRule({ rule, deployedVersion, catalog: read.catalog, skipped: read.skipped, now, ...linked });
      memo.set(key, evaluation);
    }
    return evaluation;
  };
}

function deployedIsSkipped(skips: readonly SkipVersion[], deployedVersion: string | null): boolean {
  if (deployedVersion === null) return false;
  const reading = explainVersionTag(deployedVersion.trim());
  return reading.ok && skipOf(skipMatchers(skips), reading.version) !== null;
}

/** What a batch read from the database, locked. */
export interface BatchInputs {
  configs: readonly ConfigToDecide[];
  releasesByGatherJob: ReadonlyMap<string, readonly GatheredRelease[]>;
  /** The release cycles of the endoflife jobs the configs read (absent: none). */
  cyclesByGatherJob?: ReadonlyMap<string, readonly EolCycle[]>;
  /** Each scrape job's latest snapshot: its version, and the image digest a kubernetes scrape read. */
  deployedByScrapeJob: ReadonlyMap<string, DeployedSnapshot>;
  openAlertsByConfig: ReadonlyMap<string, OpenAlertState>;
  evaluate: RuleEvaluator;
  /** When the batch is decided: a snooze until a time ends then. */
  now?: Date;
}

/** What a batch decided for one config. */
export interface ConfigDecision {
  alertConfigId: string;
  /** The evaluation to store; null for a disabled config, which is not evaluated. */
  evaluation: RuleEvaluation | null;
  /** What becomes of the config's alert (`none` included). */
  alert: AlertDecision;
}

/**
 * Evaluates what a scrape job recorded. The digest of an image pinned without a tag is placed
 * here, not by the agent or at ingestion: only an alert config joins a scrape job to the gather
 * job whose tags know digests, and a later gather that reads the digest places it at once.
 */
function evaluateDeployment(config: ConfigToDecide, deployed: DeployedSnapshot | null, releases: readonly GatheredRelease[], evaluate: RuleEvaluator, cycles: readonly EolCycle[] | null): RuleEvaluation {
  if (deployed === null) return evaluate(config, null, releases, cycles);
  const resolved = resolveDeployedImage(deployed, releases);
  if ('unknown' in resolved) {
    // What the releases alone tell (the tags skipped) still explains it; nothing was compared.
    const { explanation } = evaluate(config, null, releases, cycles);
    return { status: 'unknown', reason: resolved.unknown, deployedVersion: deployed.version, latestVersion: null, explanation, skipped: [] };
  }
  const evaluation = evaluate(config, resolved.version, releases, cycles);
  if (resolved.note === null) return evaluation;
  return evaluation.status === 'ok' ? { ...evaluation, notes: [resolved.note, ...evaluation.notes] } : { ...evaluation, reason: `${evaluation.reason} (${resolved.note})` };
}

function toLifecycle(evaluation: RuleEvaluation): LifecycleEvaluation {
  if (evaluation.status === 'unknown') return { status: 'unknown' };
  const { severity, deployedVersion, latestVersion, behindBy } = evaluation;
  return { status: 'ok', severity, deployedVersion, latestVersion, behindBy };
}

/**
 * Evaluates every config of a batch in memory and applies the alert lifecycle, one decision per
 * config in the order given. A disabled config is not evaluated; its open alert resolves. An
 * `unknown` evaluation leaves the alert alone.
 */
export function decideBatch(inputs: BatchInputs): ConfigDecision[] {
  return inputs.configs.map((config) => {
    const current = inputs.openAlertsByConfig.get(config.id) ?? null;
    const evaluation = config.enabled
      ? evaluateDeployment(
          config,
          inputs.deployedByScrapeJob.get(config.scrapeJobId) ?? null,
          inputs.releasesByGatherJob.get(config.gatherJobId) ?? [],
          inputs.evaluate,
          config.cyclesJobId ? (inputs.cyclesByGatherJob?.get(config.cyclesJobId) ?? []) : null,
        )
      : null;
    const alert = decideAlert({
      current,
      evaluation: evaluation === null ? { status: 'unknown' } : toLifecycle(evaluation),
      configActive: config.enabled,
      ...(inputs.now ? { now: inputs.now } : {}),
    });
    return { alertConfigId: config.id, evaluation, alert };
  });
}
