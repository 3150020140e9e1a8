import { alertEventQueue, DEFAULT_RETRY_BASE_SECONDS, DEFAULT_RETRY_LIMIT, notificationDeliverQueue } from '@planekeeper/domain';
import { env, parseEnv } from '@planekeeper/runtime';
import { z } from 'zod';

const schema = z.object({
  /** HTTP port of /healthz, /readyz and /metrics. */
  PORT: env.port(8083),
  /** Postgres; unset = the embedded Postgres under .data/. */
  DATABASE_URL: env.databaseUrl(),
  LOG_LEVEL: env.logLevel(),
  /** First retry delay of a failed delivery; each later retry doubles it (with ±20 % jitter). */
  NOTIFIER_RETRY_BASE_SECONDS: env.seconds(DEFAULT_RETRY_BASE_SECONDS, 0.01),
  /** Retries after the first attempt before a delivery goes to the dead-letter queue (status dead). */
  NOTIFIER_RETRY_LIMIT: env.int(DEFAULT_RETRY_LIMIT, 0, 100),
  /** Allow webhook targets on private, loopback, link-local and other non-public addresses. */
  NOTIFIER_ALLOW_PRIVATE_TARGETS: env.bool(false),
  /** Longest wait for a receiver's whole answer, in seconds (may be fractional). */
  NOTIFIER_REQUEST_TIMEOUT_SECONDS: env.seconds(10, 0.1),
  /**
   * Deliveries attempted at once by this process, in batches per worker as `notification.deliver`
   * declares (5: a batch waits for its slowest receiver, so 20 keeps enough in flight to drain a
   * backlog at 400-500/s here).
   */
  NOTIFIER_CONCURRENCY: env.int(notificationDeliverQueue.consumer.concurrency, 1, 200),
  /**
   * An attempt still unanswered after this long marks its channel slow (for a minute, or until
   * it answers quickly again). The attempt goes on outside the batch it came in, so the deliveries
   * fetched with it, to other channels, are not held up; a slow channel's next deliveries are
   * attempted the same way from the start.
   */
  NOTIFIER_SLOW_RECEIVER_SECONDS: env.seconds(1, 0.05),
  /**
   * Attempts of one slow channel under way at once in this process; its other deliveries wait
   * (rescheduled, no attempt counted) at the pace the channel answers. A slow or dead receiver
   * so holds at most this many of the attempts in flight.
   */
  NOTIFIER_CHANNEL_CONCURRENCY: env.int(4, 1, 100),
  /** Alert events matched against notification rules at once by this process. */
  NOTIFIER_EVENT_CONCURRENCY: env.int(alertEventQueue.consumer.concurrency, 1, 50),
  /**
   * How often idle workers look for due jobs, in seconds. New jobs wake them at once (LISTEN/NOTIFY);
   * this bounds how late a scheduled retry may start.
   */
  NOTIFIER_POLL_INTERVAL_SECONDS: env.seconds(notificationDeliverQueue.consumer.pollingIntervalSeconds, 0.5),
  /** Base URL people reach Planekeeper's API at: messages link back to the alert there. */
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).default('http://localhost:8080'),
});

export type NotifierConfig = z.infer<typeof schema>;

/** Reads the notifier's configuration from the environment (the only reader of process.env here). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): NotifierConfig {
  return parseEnv('notifier', schema, source);
}
