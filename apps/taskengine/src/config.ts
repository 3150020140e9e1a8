import { taskCompletedQueue } from '@planekeeper/domain';
import { env, parseEnv } from '@planekeeper/runtime';
import { z } from 'zod';

const schema = z.object({
  /** Port of /healthz, /readyz and /metrics. */
  PORT: env.port(8081),
  /** Postgres; unset = the embedded Postgres under .data/. */
  DATABASE_URL: env.databaseUrl(),
  LOG_LEVEL: env.logLevel(),
  /** How often due jobs are looked for (fractions of a second allowed, for tests). */
  TASKENGINE_SCHEDULE_INTERVAL_SECONDS: env.seconds(5, 0.05),
  /** How often claimed tasks are checked for orphans (offline agent, expired lease, stale). */
  TASKENGINE_ORPHAN_CHECK_SECONDS: env.seconds(120, 0.05),
  /** An agent without a heartbeat for this long is offline: its tasks go back to pending (3 heartbeat intervals). */
  AGENT_OFFLINE_AFTER_SECONDS: env.seconds(90, 1),
  /** A task claimed for longer than this goes back to pending, whatever its lease says. */
  TASKENGINE_STALE_TASK_SECONDS: env.seconds(3600, 1),
  /** A task recovered after this many claims is failed instead (agents keep dying on it); its job runs again on schedule. */
  TASKENGINE_TASK_MAX_ATTEMPTS: env.int(5, 1, 1000),
  /** Due jobs taken per statement by the scheduler; a tick takes batches until none are due. */
  TASKENGINE_SCHEDULE_BATCH_SIZE: env.int(500, 1, 10_000),
  /** task.completed messages ingested at once by this process (default: what the queue declares). */
  TASKENGINE_INGEST_CONCURRENCY: env.int(taskCompletedQueue.consumer.concurrency, 1, 64),
  /** Finished tasks older than this many days are deleted (0 keeps them forever). */
  TASKENGINE_TASK_RETENTION_DAYS: env.int(30, 0, 3650),
});

export type TaskengineConfig = z.infer<typeof schema>;

/** Reads the taskengine's configuration from the environment (the only reader of process.env here). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): TaskengineConfig {
  return parseEnv('taskengine', schema, source);
}
