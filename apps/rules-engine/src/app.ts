import { createBoss, createDatabase, ensureQueues, resolveDatabaseUrl } from '@planekeeper/db';
import { ALL_QUEUES, evaluateQueue } from '@planekeeper/domain';
import { closeServer, createMetricsRegistry, createOpsServer, listen, type Logger, type Service } from '@planekeeper/runtime';
import { sql } from 'kysely';
import type { RulesEngineConfig } from './config.ts';
import { evaluateJobsHandler } from './handlers/evaluate.handler.ts';
import { createRulesEngineMetrics } from './metrics.ts';
import { evaluateAlertConfigs, type EvaluateDeps } from './services/evaluate-alert-configs.ts';

/** The running rules-engine. */
export interface RulesEngineService extends Service {
  /** The ops port actually bound (PORT=0 picks a free one). */
  readonly port: number;
}

/**
 * Wires the rules-engine: database (embedded when DATABASE_URL is unset), pg-boss with the
 * queues, the `evaluate` workers, and the ops server (/healthz, /readyz, /metrics). Resources are
 * released in reverse order: the ops server, the workers (running evaluations finish), pg-boss,
 * the pool.
 */
export function createApp(config: RulesEngineConfig, logger: Logger, options: { clock?: () => Date } = {}): RulesEngineService {
  const releases: Array<() => Promise<void>> = [];
  let port = config.PORT;

  async function start(): Promise<void> {
    const target = await resolveDatabaseUrl({ databaseUrl: config.DATABASE_URL });
    releases.push(target.stop);
    const database = createDatabase(target.url, {
      // One connection per concurrent evaluation, plus room for readiness checks.
      max: config.RULES_ENGINE_CONCURRENCY + 2,
      applicationName: 'planekeeper-rules-engine',
      onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
    releases.push(database.close);

    const boss = createBoss(target.url, { logger, applicationName: 'planekeeper-rules-engine', max: 4 });
    await boss.start();
    releases.push(() => boss.stop({ graceful: true, timeout: 20_000 }));
    await ensureQueues(boss, ALL_QUEUES);

    const registry = createMetricsRegistry('rules-engine');
    const metrics = createRulesEngineMetrics(registry);
    const deps: EvaluateDeps = { db: database.db, boss, logger, metrics, clock: options.clock ?? (() => new Date()), batchSize: config.RULES_ENGINE_BATCH_SIZE };
    // A full fetch means more is waiting (a backlog after an outage): fetch again at once rather
    // than after the poll interval. Retries become due without a NOTIFY, so the backstop poll is
    // 2 s, not pg-boss's 30 s default for notify-enabled queues.
    await boss.work(
      evaluateQueue.name,
      {
        batchSize: config.RULES_ENGINE_JOBS_PER_FETCH,
        localConcurrency: config.RULES_ENGINE_CONCURRENCY,
        perJobResults: true,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 2,
        notifyPollingIntervalSeconds: 2,
      },
      evaluateJobsHandler({ logger, metrics, evaluate: (payload) => evaluateAlertConfigs(deps, payload) }),
    );
    releases.push(() => boss.offWork(evaluateQueue.name, { wait: true }));

    const server = createOpsServer({
      registry,
      ready: async () => ({ database: await sql`SELECT 1`.execute(database.db).then(() => true, () => false) }),
    });
    port = await listen(server, config.PORT);
    releases.push(() => closeServer(server));
    logger.info({ port, batchSize: config.RULES_ENGINE_BATCH_SIZE, concurrency: config.RULES_ENGINE_CONCURRENCY }, 'rules-engine started');
  }

  async function stop(): Promise<void> {
    while (releases.length > 0) {
      const release = releases.pop()!;
      await release().catch((error: unknown) => logger.error({ err: error }, 'error while releasing a resource'));
    }
  }

  return {
    start,
    stop,
    get port() {
      return port;
    },
  };
}
