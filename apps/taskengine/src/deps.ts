import type { Database } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { TaskengineConfig } from './config.ts';
import type { TaskengineMetrics } from './metrics.ts';

/** What services, consumers and loops are given: passed in, never imported as singletons. */
export interface TaskengineDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  config: TaskengineConfig;
  logger: Logger;
  metrics: TaskengineMetrics;
}
