import { createBoss, createDatabase, ensureQueues, resolveDatabaseUrl } from '@planekeeper/db';
import { ALL_QUEUES, alertEventQueue, notificationDeadQueue, notificationDeliverQueue } from '@planekeeper/domain';
import { closeServer, createMetricsRegistry, createOpsServer, listen, type Logger, type Service } from '@planekeeper/runtime';
import { sql } from 'kysely';
import type { NotifierConfig } from './config.ts';
import { countDeadDeliveriesInstallationWide } from './db/deliveries.queries.ts';
import type { NotifierDeps } from './deps.ts';
import { alertEventHandler } from './handlers/alert-event.handler.ts';
import { notificationDeadHandler } from './handlers/notification-dead.handler.ts';
import { notificationDeliverHandler } from './handlers/notification-deliver.handler.ts';
import { createNotificationSender } from './http/send-notification.ts';
import { createNotifierMetrics } from './metrics.ts';
import { createEventDeliveries } from './services/create-event-deliveries.ts';
import { deliverNotification } from './services/deliver-notification.ts';
import { recordDeadLetter } from './services/record-dead-letter.ts';

/** Deliveries fetched per pg-boss fetch; NOTIFIER_CONCURRENCY / this many workers fetch them. */
const DELIVERIES_PER_FETCH = 5;
/** Alert events fetched per pg-boss fetch, each matched in its own short transaction. */
const EVENTS_PER_FETCH = 20;

/** The running notifier. */
export interface NotifierService extends Service {
  /** The ops port actually bound (PORT=0 picks a free one). */
  readonly port: number;
}

/**
 * Wires the notifier: database (embedded when DATABASE_URL is unset), pg-boss with the queues,
 * the workers of `alert.event`, `notification.deliver` and `notification.dead`, and the ops server
 * (/healthz, /readyz, /metrics). Released in reverse order: the ops server, the workers (attempts
 * in flight finish and are recorded), pg-boss, the pool.
 */
export function createApp(config: NotifierConfig, logger: Logger, options: { clock?: () => Date; jitter?: () => number } = {}): NotifierService {
  const releases: Array<() => Promise<void>> = [];
  let port = config.PORT;

  async function start(): Promise<void> {
    const target = await resolveDatabaseUrl({ databaseUrl: config.DATABASE_URL });
    releases.push(target.stop);
    const database = createDatabase(target.url, {
      // A short transaction before and after each attempt (none is held during the HTTP call).
      max: config.NOTIFIER_CONCURRENCY + config.NOTIFIER_EVENT_CONCURRENCY + 3,
      applicationName: 'planekeeper-notifier',
      onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
    releases.push(database.close);

    const boss = createBoss(target.url, { logger, applicationName: 'planekeeper-notifier', max: 4 });
    await boss.start();
    releases.push(() => boss.stop({ graceful: true, timeout: 20_000 }));
    await ensureQueues(boss, ALL_QUEUES);

    const registry = createMetricsRegistry('notifier');
    const metrics = createNotifierMetrics(registry, () => countDeadDeliveriesInstallationWide(database.db));
    const send = createNotificationSender({
      timeoutMs: Math.round(config.NOTIFIER_REQUEST_TIMEOUT_SECONDS * 1000),
      allowPrivateTargets: config.NOTIFIER_ALLOW_PRIVATE_TARGETS,
      userAgent: 'Planekeeper-Notifier/1.0',
    });
    const deps: NotifierDeps = { db: database.db, boss, config, logger, metrics, send, clock: options.clock ?? (() => new Date()), jitter: options.jitter ?? Math.random };

    // Scheduled retries become due without a NOTIFY, so idle workers poll at the configured pace
    // rather than pg-boss's 30 s backstop for notify-enabled queues. A worker whose fetch came back
    // full fetches again at once (burstWhenBatchFull): a backlog drains at the pace of the
    // receivers, not one batch per worker per poll (pg-boss ignores it for batches of one).
    const polling = { pollingIntervalSeconds: config.NOTIFIER_POLL_INTERVAL_SECONDS, notifyPollingIntervalSeconds: config.NOTIFIER_POLL_INTERVAL_SECONDS, burstWhenBatchFull: true };
    // NOTIFIER_CONCURRENCY attempts at once: workers x batch, each batch attempted side by side.
    const deliveriesPerFetch = Math.min(DELIVERIES_PER_FETCH, config.NOTIFIER_CONCURRENCY);
    await boss.work(
      notificationDeliverQueue.name,
      { ...polling, batchSize: deliveriesPerFetch, localConcurrency: Math.ceil(config.NOTIFIER_CONCURRENCY / deliveriesPerFetch) },
      notificationDeliverHandler({ logger, deliver: (input) => deliverNotification(deps, input) }),
    );
    releases.push(() => boss.offWork(notificationDeliverQueue.name, { wait: true }));
    await boss.work(
      alertEventQueue.name,
      { ...polling, batchSize: EVENTS_PER_FETCH, localConcurrency: config.NOTIFIER_EVENT_CONCURRENCY },
      alertEventHandler({ logger, createDeliveries: (payload) => createEventDeliveries(deps, payload) }),
    );
    releases.push(() => boss.offWork(alertEventQueue.name, { wait: true }));
    await boss.work(
      notificationDeadQueue.name,
      { ...polling, batchSize: 1, includeMetadata: true },
      notificationDeadHandler({ logger, recordDead: (payload, source) => recordDeadLetter(deps, payload, source) }),
    );
    releases.push(() => boss.offWork(notificationDeadQueue.name, { wait: true }));

    const server = createOpsServer({
      registry,
      ready: async () => ({ database: await sql`SELECT 1`.execute(database.db).then(() => true, () => false) }),
    });
    port = await listen(server, config.PORT);
    releases.push(() => closeServer(server));
    logger.info(
      {
        port,
        concurrency: config.NOTIFIER_CONCURRENCY,
        retryBaseSeconds: config.NOTIFIER_RETRY_BASE_SECONDS,
        retryLimit: config.NOTIFIER_RETRY_LIMIT,
        allowPrivateTargets: config.NOTIFIER_ALLOW_PRIVATE_TARGETS,
      },
      'notifier started',
    );
  }

  async function stop(): Promise<void> {
    while (releases.length > 0) {
      const release = releases.pop()!;
      await release().catch((error: unknown) => logger.error({ err: error }, 'error while releasing a resource'));
    }
  }

  return {
    start,
    stop,
    get port() {
      return port;
    },
  };
}
