import { consume, postgresBackend } from '@planekeeper/db';
import { evaluateQueue } from '@planekeeper/domain';
import { defineService, type Logger, type RunningService } from '@planekeeper/runtime';
import type { RulesEngineConfig } from './config.ts';
import { createRulesEngineMetrics } from './metrics.ts';
import { evaluateAlertConfigs, type EvaluateDeps } from './services/evaluate-alert-configs.ts';

/** The rules-engine: consumes `evaluate` and applies the alert lifecycle. */
export function createApp(config: RulesEngineConfig, logger: Logger, options: { clock?: () => Date } = {}): RunningService {
  return defineService({
    name: 'rules-engine',
    backend: postgresBackend,
    logger,
    port: config.PORT,
    databaseUrl: config.DATABASE_URL,
    // One connection per concurrent evaluation, plus room for readiness checks.
    pool: { max: config.RULES_ENGINE_CONCURRENCY + 2 },
    deps: ({ db, boss, registry }): EvaluateDeps => ({
      db, boss, logger, metrics: createRulesEngineMetrics(registry), clock: options.clock ?? (() => new Date()), batchSize: config.RULES_ENGINE_BATCH_SIZE,
    }),
    consumers: (deps) => [
      consume(evaluateQueue, (payload) => evaluateAlertConfigs(deps, payload), {
        concurrency: config.RULES_ENGINE_CONCURRENCY,
        batchSize: config.RULES_ENGINE_JOBS_PER_FETCH,
        // A burst of finished scrapes often names one target many times: evaluate it once.
        coalesce: (payload) => JSON.stringify([payload.organizationId, payload.target]),
        onSettled: (outcome, jobs) => deps.metrics.evaluateJobs.inc({ outcome }, jobs),
      }),
    ],
    describe: () => ({ batchSize: config.RULES_ENGINE_BATCH_SIZE, concurrency: config.RULES_ENGINE_CONCURRENCY }),
  });
}
