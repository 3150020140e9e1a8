import { consume, postgresBackend } from '@planekeeper/db';
import { alertEventQueue, notificationDeadQueue, notificationDeliverQueue } from '@planekeeper/domain';
import { defineService, type Logger, type RunningService } from '@planekeeper/runtime';
import type { NotifierConfig } from './config.ts';
import { countDeadDeliveriesInstallationWide } from './db/deliveries.queries.ts';
import type { NotifierDeps } from './deps.ts';
import { createNotificationSender } from './http/send-notification.ts';
import { createNotifierMetrics } from './metrics.ts';
import { ChannelLanes } from './services/channel-lanes.ts';
import { createEventDeliveries } from './services/create-event-deliveries.ts';
import { deliverNotification } from './services/deliver-notification.ts';
import { recordDeadLetter } from './services/record-dead-letter.ts';

/**
 * The notifier: consumes `alert.event` (matches notification rules, makes deliveries),
 * `notification.deliver` (one attempt each, retries scheduled by itself) and `notification.dead`
 * (deliveries whose retries are used up).
 */
export function createApp(config: NotifierConfig, logger: Logger, options: { clock?: () => Date; jitter?: () => number } = {}): RunningService {
  const polling = { pollingIntervalSeconds: config.NOTIFIER_POLL_INTERVAL_SECONDS };
  return defineService({
    name: 'notifier',
    backend: postgresBackend,
    logger,
    port: config.PORT,
    databaseUrl: config.DATABASE_URL,
    // A short transaction before and after each attempt (none is held during the HTTP call).
    pool: { max: config.NOTIFIER_CONCURRENCY + config.NOTIFIER_EVENT_CONCURRENCY + 3 },
    deps: ({ db, boss, registry }): NotifierDeps => ({
      db,
      boss,
      config,
      logger,
      metrics: createNotifierMetrics(registry, () => countDeadDeliveriesInstallationWide(db)),
      send: createNotificationSender({
        timeoutMs: Math.round(config.NOTIFIER_REQUEST_TIMEOUT_SECONDS * 1000),
        allowPrivateTargets: config.NOTIFIER_ALLOW_PRIVATE_TARGETS,
        userAgent: 'Planekeeper-Notifier/1.0',
      }),
      lanes: new ChannelLanes({
        slowMs: Math.round(config.NOTIFIER_SLOW_RECEIVER_SECONDS * 1000),
        perChannel: config.NOTIFIER_CHANNEL_CONCURRENCY,
        // Slow receivers together hold at most as many attempts as the batches do.
        total: config.NOTIFIER_CONCURRENCY,
        slowForMs: 60_000,
      }),
      clock: options.clock ?? (() => new Date()),
      jitter: options.jitter ?? Math.random,
    }),
    consumers: (deps) => [
      // Each attempt runs under its job's id, which tells the job that owns the delivery from a stale duplicate.
      consume(notificationDeliverQueue, (payload, job) => deliverNotification(deps, { ...payload, jobId: job.id }), { ...polling, concurrency: config.NOTIFIER_CONCURRENCY }),
      consume(alertEventQueue, (payload) => createEventDeliveries(deps, payload), { ...polling, concurrency: config.NOTIFIER_EVENT_CONCURRENCY }),
      consume(notificationDeadQueue, (payload, job) => recordDeadLetter(deps, payload, { queue: job.sourceName ?? null, jobId: job.sourceId ?? null }), polling),
    ],
    describe: () => ({
      concurrency: config.NOTIFIER_CONCURRENCY,
      channelConcurrency: config.NOTIFIER_CHANNEL_CONCURRENCY,
      slowReceiverSeconds: config.NOTIFIER_SLOW_RECEIVER_SECONDS,
      retryBaseSeconds: config.NOTIFIER_RETRY_BASE_SECONDS,
      retryLimit: config.NOTIFIER_RETRY_LIMIT,
      allowPrivateTargets: config.NOTIFIER_ALLOW_PRIVATE_TARGETS,
    }),
  });
}
