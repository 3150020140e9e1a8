import { consume, postgresBackend } from '@planekeeper/db';
import { evaluateQueue } from '@planekeeper/domain';
import { defineService, every, type Logger, type RunningService } from '@planekeeper/runtime';
import type { RulesEngineConfig } from './config.ts';
import { createRulesEngineMetrics } from './metrics.ts';
import { evaluateAlertConfigs, evaluateTargets, type EvaluateDeps } from './services/evaluate-alert-configs.ts';
import { followVersionGrammar } from './services/follow-version-grammar.ts';
import { endDueSnoozes } from './services/end-snoozes.ts';
import { reevaluateEndOfLife } from './services/reevaluate-end-of-life.ts';

/**
 * The rules-engine: at start, re-evaluates everything once if the version grammar changed since
 * the stored evaluations were made; then consumes `evaluate` and applies the alert lifecycle.
 */
export function createApp(config: RulesEngineConfig, logger: Logger, options: { clock?: () => Date } = {}): RunningService {
  const offsetMs = config.RULES_ENGINE_CLOCK_OFFSET_SECONDS * 1000;
  const clock = options.clock ?? (offsetMs === 0 ? () => new Date() : () => new Date(Date.now() + offsetMs));
  return defineService({
    name: 'rules-engine',
    backend: postgresBackend,
    logger,
    port: config.PORT,
    databaseUrl: config.DATABASE_URL,
    // One connection per batch in flight of each concurrent evaluation, plus room for readiness checks.
    pool: { max: config.RULES_ENGINE_CONCURRENCY * config.RULES_ENGINE_BATCH_CONCURRENCY + 2 },
    deps: ({ db, boss, registry }): EvaluateDeps => ({
      db, boss, logger, metrics: createRulesEngineMetrics(registry, db), clock, batchSize: config.RULES_ENGINE_BATCH_SIZE,
      batchConcurrency: config.RULES_ENGINE_BATCH_CONCURRENCY,
      batchBudgetMs: config.RULES_ENGINE_BATCH_BUDGET_MS,
    }),
    // A start step, not a loop: the database records the revision, so it runs once per upgrade.
    onStart: [
      async (deps) => {
        await followVersionGrammar(deps);
      },
    ],
    consumers: (deps) => [
      consume(evaluateQueue, (payload) => evaluateAlertConfigs(deps, payload), {
        concurrency: config.RULES_ENGINE_CONCURRENCY,
        batchSize: config.RULES_ENGINE_JOBS_PER_FETCH,
        // A burst of finished scrapes often names one target many times: evaluate it once; and
        // the different targets of one organization fetched together in one run.
        coalesce: (payload) => JSON.stringify([payload.organizationId, payload.target]),
        together: { key: (payload) => payload.organizationId, handle: (payloads) => evaluateTargets(deps, payloads) },
        onSettled: (outcome, jobs) => deps.metrics.evaluateJobs.inc({ outcome }, jobs),
      }),
    ],
    loops: (deps) => [
      every('end-of-life', config.RULES_ENGINE_EOL_CHECK_SECONDS, () => reevaluateEndOfLife(deps)),
      every('snooze-ends', config.RULES_ENGINE_SNOOZE_CHECK_SECONDS, () => endDueSnoozes(deps)),
    ],
    describe: () => ({ batchSize: config.RULES_ENGINE_BATCH_SIZE, batchConcurrency: config.RULES_ENGINE_BATCH_CONCURRENCY, concurrency: config.RULES_ENGINE_CONCURRENCY, batchBudgetMs: config.RULES_ENGINE_BATCH_BUDGET_MS }),
  });
}
