import { evaluateQueue } from '@planekeeper/domain';
import { env, parseEnv } from '@planekeeper/runtime';
import { z } from 'zod';

const schema = z.object({
  /** HTTP port of /healthz, /readyz and /metrics. */
  PORT: env.port(8082),
  /** Postgres; unset = the embedded Postgres under .data/. */
  DATABASE_URL: env.databaseUrl(),
  LOG_LEVEL: env.logLevel(),
  /**
   * Alert configs evaluated per transaction. A target with more configs (a gather job used by
   * thousands) is split into batches of this size, each locked, computed and written set-based.
   */
  RULES_ENGINE_BATCH_SIZE: env.int(1000, 1, 5000),
  /**
   * Batches of one target's configs evaluated at once, each its own transaction and connection
   * over its own configs: Postgres works on several while this process decides the next.
   */
  RULES_ENGINE_BATCH_CONCURRENCY: env.int(2, 1, 16),
  /** `evaluate` jobs worked on at once by this process (default: what the queue declares). */
  RULES_ENGINE_CONCURRENCY: env.int(evaluateQueue.consumer.concurrency, 1, 64),
  /** `evaluate` jobs fetched per poll by each worker; duplicates of one target are evaluated once. */
  RULES_ENGINE_JOBS_PER_FETCH: env.int(evaluateQueue.consumer.batchSize, 1, 500),
  /**
   * Longest a batch of configs may spend reading gathered tags (tag filter, parsing), in ms of
   * this process's one thread. A config whose tags are not read in time is evaluated `unknown`,
   * saying so, instead of holding every organization's evaluations (and /healthz) up.
   */
  RULES_ENGINE_BATCH_BUDGET_MS: env.int(2000, 50, 600_000),
  /**
   * How often, in seconds, to look for `eol` rules not yet evaluated today: time alone moves their
   * answer, so each is evaluated again once a day (UTC) even when nothing upstream changes.
   */
  RULES_ENGINE_EOL_CHECK_SECONDS: env.seconds(3600, 0.1),
  /** How often, in seconds, to end snoozes whose time has come (their alerts notify again). */
  RULES_ENGINE_SNOOZE_CHECK_SECONDS: env.seconds(30, 0.1),
  /**
   * Shifts this process's clock by this many seconds. For drills and end-to-end tests that let
   * an end-of-life date pass without waiting for it; leave 0 in production.
   */
  RULES_ENGINE_CLOCK_OFFSET_SECONDS: env.int(0, -10 * 365 * 86_400, 10 * 365 * 86_400),
});

export type RulesEngineConfig = z.infer<typeof schema>;

/** Reads the rules-engine's configuration from the environment (the only reader of process.env here). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): RulesEngineConfig {
  return parseEnv('rules-engine', schema, source);
}
