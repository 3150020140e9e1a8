import type { Database } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { NotifierConfig } from './config.ts';
import type { SendNotification } from './http/send-notification.ts';
import type { NotifierMetrics } from './metrics.ts';

/** What the notifier's services are given: passed in, never imported as singletons. */
export interface NotifierDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  config: NotifierConfig;
  logger: Logger;
  metrics: NotifierMetrics;
  send: SendNotification;
  /** The time; tests may pass another clock. */
  clock: () => Date;
  /** Uniform random numbers in [0, 1) for retry jitter. */
  jitter: () => number;
}
