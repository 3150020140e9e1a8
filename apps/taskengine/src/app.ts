import { consume, postgresBackend } from '@planekeeper/db';
import { taskCompletedQueue } from '@planekeeper/domain';
import { defineService, every, type Logger, type RunningService } from '@planekeeper/runtime';
import type { TaskengineConfig } from './config.ts';
import type { TaskengineDeps } from './deps.ts';
import { createTaskengineMetrics, timedLoop } from './metrics.ts';
import { ingestTaskResult } from './services/ingest-task-result.ts';
import { recoverTasks } from './services/recover-tasks.ts';
import { scheduleDueJobs } from './services/schedule-due-jobs.ts';

/**
 * The taskengine: ingests `task.completed`, and runs the scheduler and the recovery of orphaned
 * and stale tasks as loops. Migrations are the api's (or the migrations Job's) to run.
 */
export function createApp(config: TaskengineConfig, logger: Logger): RunningService {
  return defineService({
    name: 'taskengine',
    backend: postgresBackend,
    logger,
    port: config.PORT,
    databaseUrl: config.DATABASE_URL,
    pool: { max: 10 },
    deps: ({ db, boss, registry }): TaskengineDeps => ({ db, boss, config, logger, metrics: createTaskengineMetrics(registry, db) }),
    consumers: (deps) => [consume(taskCompletedQueue, (payload) => ingestTaskResult(deps, payload), { concurrency: config.TASKENGINE_INGEST_CONCURRENCY })],
    loops: (deps) => [
      every('scheduler', config.TASKENGINE_SCHEDULE_INTERVAL_SECONDS, timedLoop(deps.metrics, 'scheduler', () => scheduleDueJobs(deps))),
      every('recovery', config.TASKENGINE_ORPHAN_CHECK_SECONDS, timedLoop(deps.metrics, 'recovery', () => recoverTasks(deps))),
    ],
    describe: () => ({ scheduleIntervalSeconds: config.TASKENGINE_SCHEDULE_INTERVAL_SECONDS, orphanCheckSeconds: config.TASKENGINE_ORPHAN_CHECK_SECONDS }),
  });
}
