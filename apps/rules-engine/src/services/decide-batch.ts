import { openAlertState, type AlertChange, type AlertRow } from '@planekeeper/db';
import {
  decideAlert,
  evaluateRule,
  resolveDeployedImage,
  type DeployedSnapshot,
  type LifecycleEvaluation,
  type ReleaseCandidate,
  type RuleEvaluation,
} from '@planekeeper/domain';
import type { ConfigToEvaluate } from '../db/alert-configs.queries.ts';
import type { EvaluationWrite } from '../db/evaluations.queries.ts';
import type { GatheredRelease } from '../db/versions.queries.ts';

/**
 * Evaluates a rule for (gather job, rule, tag filter, deployed version) once per run: thousands of
 * configs of one gather job mostly share a few deployed versions, and each evaluation parses every
 * release of the job.
 */
export type RuleEvaluator = (config: ConfigToEvaluate, deployedVersion: string | null, releases: readonly ReleaseCandidate[]) => RuleEvaluation;

/** A memoizing {@link RuleEvaluator} for one run, at one instant `now`. */
export function createRuleEvaluator(now: Date): RuleEvaluator {
  const memo = new Map<string, RuleEvaluation>();
  return (config, deployedVersion, releases) => {
    const key = JSON.stringify([
      config.gather_job_id, config.tag_filter, config.rule_type, config.moderate, config.high, config.critical, config.stable_only, deployedVersion,
    ]);
    let evaluation = memo.get(key);
    if (evaluation === undefined) {
      evaluation = evaluateRule({
        rule: { type: config.rule_type, moderate: config.moderate, high: config.high, critical: config.critical, stableOnly: config.stable_only },
        deployedVersion,
        releases,
        tagFilter: config.tag_filter,
        now,
      });
      memo.set(key, evaluation);
    }
    return evaluation;
  };
}

/** What a batch read from the database, locked. */
export interface BatchInputs {
  configs: readonly ConfigToEvaluate[];
  releasesByGatherJob: ReadonlyMap<string, readonly GatheredRelease[]>;
  deployedByScrapeJob: ReadonlyMap<string, DeployedSnapshot>;
  openAlertsByConfig: ReadonlyMap<string, AlertRow>;
  evaluate: RuleEvaluator;
}

/** What a batch writes: evaluations of the enabled configs, and every alert change (none included). */
export interface BatchDecisions {
  evaluations: EvaluationWrite[];
  changes: AlertChange[];
}

function toEvaluationWrite(config: ConfigToEvaluate, evaluation: RuleEvaluation): EvaluationWrite {
  if (evaluation.status === 'unknown') {
    return {
      alert_config_id: config.id,
      status: 'unknown',
      reason: evaluation.reason,
      deployed_version: evaluation.deployedVersion,
      latest_version: evaluation.latestVersion,
      behind_by: null,
      severity: null,
      details: { ruleType: config.rule_type, notes: [] },
    };
  }
  return {
    alert_config_id: config.id,
    status: 'ok',
    // The API's reason field also carries notes worth showing, such as a missing publish date.
    reason: evaluation.notes.length > 0 ? evaluation.notes.join('; ') : null,
    deployed_version: evaluation.deployedVersion,
    latest_version: evaluation.latestVersion,
    behind_by: evaluation.behindBy,
    severity: evaluation.severity,
    details: { ruleType: config.rule_type, notes: evaluation.notes, ...(evaluation.dateSource ? { dateSource: evaluation.dateSource } : {}) },
  };
}

/**
 * Evaluates what a scrape job recorded. The digest of an image pinned without a tag is placed
 * here, not by the agent or at ingestion: only an alert config joins a scrape job to the gather
 * job whose tags know digests, and a later gather that reads the digest places it at once.
 */
function evaluateDeployment(config: ConfigToEvaluate, deployed: DeployedSnapshot | null, releases: readonly GatheredRelease[], evaluate: RuleEvaluator): RuleEvaluation {
  if (deployed === null) return evaluate(config, null, releases);
  const resolved = resolveDeployedImage(deployed, releases);
  if ('unknown' in resolved) return { status: 'unknown', reason: resolved.unknown, deployedVersion: deployed.version, latestVersion: null };
  const evaluation = evaluate(config, resolved.version, releases);
  if (resolved.note === null) return evaluation;
  return evaluation.status === 'ok' ? { ...evaluation, notes: [resolved.note, ...evaluation.notes] } : { ...evaluation, reason: `${evaluation.reason} (${resolved.note})` };
}

function toLifecycle(evaluation: RuleEvaluation): LifecycleEvaluation {
  if (evaluation.status === 'unknown') return { status: 'unknown' };
  const { severity, deployedVersion, latestVersion, behindBy } = evaluation;
  return { status: 'ok', severity, deployedVersion, latestVersion, behindBy };
}

/**
 * Evaluates every config of a batch in memory and applies the alert lifecycle. A disabled config
 * is not evaluated; its open alert resolves. An `unknown` evaluation leaves the alert alone.
 */
export function decideBatch(inputs: BatchInputs): BatchDecisions {
  const evaluations: EvaluationWrite[] = [];
  const changes: AlertChange[] = [];
  for (const config of inputs.configs) {
    const open = inputs.openAlertsByConfig.get(config.id) ?? null;
    const current = open === null ? null : openAlertState(open);
    let lifecycle: LifecycleEvaluation = { status: 'unknown' };
    if (config.enabled) {
      const releases = inputs.releasesByGatherJob.get(config.gather_job_id) ?? [];
      const evaluation = evaluateDeployment(config, inputs.deployedByScrapeJob.get(config.scrape_job_id) ?? null, releases, inputs.evaluate);
      evaluations.push(toEvaluationWrite(config, evaluation));
      lifecycle = toLifecycle(evaluation);
    }
    const decision = decideAlert({ current, evaluation: lifecycle, configActive: config.enabled });
    changes.push({ alertConfigId: config.id, alertConfigName: config.name, ruleType: config.rule_type, current: open, decision });
  }
  return { evaluations, changes };
}
