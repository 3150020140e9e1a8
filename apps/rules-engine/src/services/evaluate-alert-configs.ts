import { applyAlertChanges, findOpenAlerts, openAlertState, type AlertChange, type Database, type RecordedAlertEvent } from '@planekeeper/db';
import { trustedOrganizationId, type EolCycle, type EvaluatePayload, type OrganizationId } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { findAlertConfigIds, lockAlertConfigs, type LockedAlertConfig } from '../db/alert-configs.queries.ts';
import { upsertEvaluations, type EvaluationToStore } from '../db/evaluations.queries.ts';
import { latestDeployedVersions, loadCycles, loadReleases } from '../db/versions.queries.ts';
import type { RulesEngineMetrics } from '../metrics.ts';
import { createRuleEvaluator, decideBatch, type ConfigToDecide, type GatheredRelease, type RuleEvaluator } from './decide-batch.ts';

/** What evaluating needs. */
export interface EvaluateDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  logger: Logger;
  metrics: RulesEngineMetrics;
  clock: () => Date;
  /** Configs per transaction. */
  batchSize: number;
  /**
   * Batches of one target in flight at once (RULES_ENGINE_BATCH_CONCURRENCY; default 1), each its
   * own transaction and connection over its own configs: while one batch waits for Postgres, the
   * next is decided, and Postgres works on two.
   */
  batchConcurrency?: number;
  /** Longest a batch may spend reading tags, in ms (RULES_ENGINE_BATCH_BUDGET_MS); unset: no limit. */
  batchBudgetMs?: number;
}

/** What one evaluation of a target did. */
export interface EvaluationSummary {
  configs: number;
  ok: number;
  unknown: number;
  events: RecordedAlertEvent[];
}

/**
 * State shared by the batches of one target: releases are loaded once per gather job. Batches in
 * flight at once may both load a gather job's releases; the first load kept is the one every
 * batch of the run uses (the evaluator's catalogs need the same releases each time).
 */
interface RunState {
  releases: Map<string, readonly GatheredRelease[]>;
  cycles: Map<string, readonly EolCycle[]>;
  evaluate: RuleEvaluator;
  /**
   * When the deciding batch's budget runs out (performance.now(): real elapsed time, not the
   * injected clock's). Set just before a batch's decideBatch, which runs synchronously: no other
   * batch can move it meanwhile, so each batch has its own budget.
   */
  budgetEndsAt: number;
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function toDecide(config: LockedAlertConfig): ConfigToDecide {
  return {
    id: config.id,
    enabled: config.enabled,
    gatherJobId: config.gather_job_id,
    scrapeJobId: config.scrape_job_id,
    rule: { type: config.rule_type, moderate: config.moderate, high: config.high, critical: config.critical, stableOnly: config.stable_only },
    tagFilter: config.tag_filter,
    skipVersions: [...config.skip_versions, ...config.job_skip_versions],
    cyclesJobId: config.cycles_job_id,
  };
}

/**
 * Evaluates every alert config an `evaluate` message targets (one config, or all that reference
 * a gather job, scrape job or rule) and applies the alert lifecycle. Configs go in batches of
 * `batchSize`, each one transaction: lock the configs, read snapshots and open alerts with one
 * query each, decide in memory, then write evaluations, alert changes, events and their
 * `alert.event` jobs set-based. Re-running it on unchanged data writes no event.
 */
export async function evaluateAlertConfigs(deps: EvaluateDeps, payload: EvaluatePayload): Promise<EvaluationSummary> {
  return evaluateTargets(deps, [payload]);
}

/**
 * Evaluates the configs of several targets of one organization in one run, each config once, in
 * shared batches: a burst of finished scrapes (a thousand agents reporting, each naming its own
 * scrape job) costs a few transactions instead of one per target.
 */
export async function evaluateTargets(deps: EvaluateDeps, payloads: readonly EvaluatePayload[]): Promise<EvaluationSummary> {
  const organizationId = trustedOrganizationId(payloads[0]!.organizationId);
  if (payloads.some((payload) => payload.organizationId !== organizationId)) throw new Error('evaluateTargets: one organization at a time');
  const ids = await findAlertConfigIds(deps.db, organizationId, payloads.map((payload) => payload.target));
  const run: RunState = {
    releases: new Map(),
    cycles: new Map(),
    evaluate: createRuleEvaluator(deps.clock(), () => performance.now() > run.budgetEndsAt),
    budgetEndsAt: Number.POSITIVE_INFINITY,
  };
  const batches: string[][] = [];
  for (let start = 0; start < ids.length; start += deps.batchSize) batches.push(ids.slice(start, start + deps.batchSize));
  const done: EvaluationSummary[] = [];
  // Workers take the next batch as they finish one. Each batch locks its own configs in id order,
  // so batches of this and of other runs never wait on each other in a cycle. After a failure no
  // batch starts; those in flight end (commit or roll back) before the job fails and is retried.
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < batches.length) {
      const at = next++;
      try {
        done[at] = await evaluateBatch(deps, organizationId, batches[at]!, run);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, deps.batchConcurrency ?? 1), batches.length) }, worker));
  if (failures.length > 0) throw failures[0];
  const summary: EvaluationSummary = { configs: 0, ok: 0, unknown: 0, events: [] };
  for (const batch of done) {
    summary.configs += batch.configs;
    summary.ok += batch.ok;
    summary.unknown += batch.unknown;
    summary.events.push(...batch.events);
  }
  const named = payloads.length === 1 ? { target: payloads[0]!.target, reason: payloads[0]!.reason } : { targets: payloads.length, reasons: unique(payloads.map((payload) => payload.reason)) };
  deps.logger.info(
    { organizationId, ...named, configs: summary.configs, ok: summary.ok, unknown: summary.unknown, events: summary.events.length },
    'evaluated alert configs',
  );
  return summary;
}

async function evaluateBatch(deps: EvaluateDeps, organizationId: OrganizationId, ids: string[], run: RunState): Promise<EvaluationSummary> {
  const stopTimer = deps.metrics.batchDuration.startTimer();
  const summary = await deps.db.transaction().execute(async (trx): Promise<EvaluationSummary> => {
    const configs = await lockAlertConfigs(trx, organizationId, ids);
    const enabled = configs.filter((config) => config.enabled);
    // Read after the locks: a concurrent evaluation of these configs has committed by now. A
    // batch in flight beside this one may have stored a job's releases meanwhile: that one stays.
    const missing = unique(enabled.map((config) => config.gather_job_id)).filter((id) => !run.releases.has(id));
    if (missing.length > 0) {
      const loaded = await loadReleases(trx, organizationId, missing);
      for (const id of missing) if (!run.releases.has(id)) run.releases.set(id, loaded.get(id) ?? []);
    }
    const missingCycles = unique(enabled.flatMap((config) => (config.cycles_job_id === null ? [] : [config.cycles_job_id]))).filter((id) => !run.cycles.has(id));
    for (const [id, cycles] of await loadCycles(trx, organizationId, missingCycles)) if (!run.cycles.has(id)) run.cycles.set(id, cycles);
    const deployed = await latestDeployedVersions(trx, organizationId, unique(enabled.map((config) => config.scrape_job_id)));
    const open = await findOpenAlerts(trx, organizationId, configs.map((config) => config.id), { forUpdate: true });

    run.budgetEndsAt = performance.now() + (deps.batchBudgetMs ?? Number.POSITIVE_INFINITY);
    const decisions = decideBatch({
      configs: configs.map(toDecide),
      releasesByGatherJob: run.releases,
      cyclesByGatherJob: run.cycles,
      deployedByScrapeJob: deployed,
      openAlertsByConfig: new Map([...open].map(([configId, alert]) => [configId, openAlertState(alert)])),
      evaluate: run.evaluate,
      now: deps.clock(),
    });
    const evaluations: EvaluationToStore[] = [];
    const changes: AlertChange[] = [];
    configs.forEach((config, i) => {
      const { evaluation, alert: decision } = decisions[i]!;
      if (evaluation) evaluations.push({ alertConfigId: config.id, ruleType: config.rule_type, evaluation });
      if (decision.action !== 'none') {
        changes.push({ alertConfigId: config.id, alertConfigName: config.name, ruleType: config.rule_type, current: open.get(config.id) ?? null, decision });
      }
    });
    await upsertEvaluations(trx, organizationId, evaluations, deps.clock());
    const { alertIds, events } = await applyAlertChanges(trx, deps.boss, organizationId, changes);

    for (const change of changes) {
      deps.logger.debug(
        { organizationId, alertConfigId: change.alertConfigId, alertId: alertIds.get(change.alertConfigId), action: change.decision.action, events: change.decision.events.map((e) => e.type) },
        'alert changed',
      );
    }
    const ok = evaluations.filter((stored) => stored.evaluation.status === 'ok').length;
    return { configs: configs.length, ok, unknown: evaluations.length - ok, events };
  });
  stopTimer();
  // Counted after the commit: a rolled-back batch is retried and counted then.
  if (summary.ok > 0) deps.metrics.evaluations.inc({ status: 'ok' }, summary.ok);
  if (summary.unknown > 0) deps.metrics.evaluations.inc({ status: 'unknown' }, summary.unknown);
  for (const event of summary.events) deps.metrics.alertEvents.inc({ type: event.type });
  return summary;
}
