import type { Database } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Registry } from 'prom-client';
import type { TaskWaiters } from './agent/task-waiters.ts';
import type { ApiKeyCache } from './http/api-key-cache.ts';
import type { ApiConfig } from './config.ts';
import type { ApiMetrics } from './metrics.ts';

/** What route handlers and services are given: passed in, never imported as singletons. */
export interface ApiDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  config: ApiConfig;
  logger: Logger;
  registry: Registry;
  /** Counters and histograms the services write (task reports). */
  metrics: ApiMetrics;
  taskWaiters: TaskWaiters;
  /** API keys checked lately (revocations evict them at once). */
  apiKeys: ApiKeyCache;
  /** The time; tests may pass another clock. */
  clock: () => Date;
}
