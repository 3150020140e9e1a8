import { createBoss, createDatabase, ensureQueues, migrationsApplied, resolveDatabaseUrl } from '@planekeeper/db';
import { ALL_QUEUES, taskCompletedQueue } from '@planekeeper/domain';
import { closeServer, createMetricsRegistry, createOpsServer, listen, type Logger, type Service } from '@planekeeper/runtime';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { TaskengineConfig } from './config.ts';
import type { TaskengineDeps } from './deps.ts';
import { taskCompletedHandler } from './handlers/task-completed.handler.ts';
import { createTaskengineMetrics } from './metrics.ts';
import { startPeriodic } from './periodic.ts';
import { recoverTasks } from './services/recover-tasks.ts';
import { scheduleDueJobs } from './services/schedule-due-jobs.ts';

export interface TaskengineService extends Service {
  /** The port actually bound (PORT=0 picks a free one). */
  readonly port: number;
  readonly registry: Registry;
}

/**
 * Wires the taskengine: database (embedded when DATABASE_URL is unset), pg-boss with the
 * task.completed worker, the scheduler and recovery loops, the ops server. Migrations are the
 * api's (or the migrations Job's) to run. Released in reverse order: loops and the worker stop
 * taking work and finish what runs, then the server, pg-boss and the pool close.
 */
export function createApp(config: TaskengineConfig, logger: Logger): TaskengineService {
  const releases: Array<() => Promise<void>> = [];
  const registry = createMetricsRegistry('taskengine');
  let port = config.PORT;

  async function start(): Promise<void> {
    const target = await resolveDatabaseUrl({ databaseUrl: config.DATABASE_URL });
    releases.push(target.stop);
    const database = createDatabase(target.url, {
      max: 10,
      applicationName: 'planekeeper-taskengine',
      onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
    releases.push(database.close);

    const boss = createBoss(target.url, { logger, applicationName: 'planekeeper-taskengine', max: 5 });
    await boss.start();
    releases.push(() => boss.stop({ graceful: true, timeout: 20_000 }));
    await ensureQueues(boss, ALL_QUEUES);

    const deps: TaskengineDeps = { db: database.db, boss, config, logger, metrics: createTaskengineMetrics(registry, database.db) };

    const server = createOpsServer({
      registry,
      ready: async () => {
        const reachable = await sql`SELECT 1`.execute(database.db).then(() => true, () => false);
        return { database: reachable, migrations: reachable && (await migrationsApplied(database.db).catch(() => false)) };
      },
    });
    port = await listen(server, config.PORT);
    releases.push(() => closeServer(server));

    // Batches with a fetch again at once while they come back full: a backlog (after an outage)
    // drains at the speed of ingestion, not one message per worker per poll. Retries become due
    // without a NOTIFY, so the backstop poll is 2 s, not pg-boss's 30 s default.
    await boss.work(
      taskCompletedQueue.name,
      {
        localConcurrency: config.TASKENGINE_INGEST_CONCURRENCY,
        batchSize: 10,
        perJobResults: true,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 2,
        notifyPollingIntervalSeconds: 2,
      },
      taskCompletedHandler(deps),
    );
    releases.push(() => boss.offWork(taskCompletedQueue.name, { wait: true }));

    const timed = (loop: string, run: () => Promise<unknown>) => async () => {
      const end = deps.metrics.tickSeconds.startTimer({ loop });
      try {
        await run();
      } finally {
        end();
      }
    };
    const scheduler = startPeriodic('scheduler', config.TASKENGINE_SCHEDULE_INTERVAL_SECONDS, timed('scheduler', () => scheduleDueJobs(deps)), logger);
    releases.push(() => scheduler.stop());
    const recovery = startPeriodic('recovery', config.TASKENGINE_ORPHAN_CHECK_SECONDS, timed('recovery', () => recoverTasks(deps)), logger);
    releases.push(() => recovery.stop());
    logger.info({ port, scheduleIntervalSeconds: config.TASKENGINE_SCHEDULE_INTERVAL_SECONDS, orphanCheckSeconds: config.TASKENGINE_ORPHAN_CHECK_SECONDS }, 'taskengine started');
  }

  async function stop(): Promise<void> {
    while (releases.length) {
      const release = releases.pop()!;
      await release().catch((error: unknown) => logger.error({ err: error }, 'error while releasing a resource'));
    }
  }

  return {
    start,
    stop,
    registry,
    get port() {
      return port;
    },
  };
}
