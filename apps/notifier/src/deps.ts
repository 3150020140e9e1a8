import type { Database } from '@planekeeper/db';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { NotifierConfig } from './config.ts';
import type { SendNotification } from './http/send-notification.ts';
import type { NotifierMetrics } from './metrics.ts';
import type { ChannelLanes } from './services/channel-lanes.ts';

/** What the notifier's services are given: passed in, never imported as singletons. */
export interface NotifierDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  config: NotifierConfig;
  logger: Logger;
  metrics: NotifierMetrics;
  send: SendNotification;
  /** Which channels are slow, and their attempts under way outside a batch (this process's). */
  lanes: ChannelLanes;
  /** The time; tests may pass another clock. */
  clock: () => Date;
  /** Uniform random numbers in [0, 1) for retry jitter. */
  jitter: () => number;
}
