import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createBoss, DELIVERY_JOB_CRASH_RETRY_DELAY_SECONDS, DELIVERY_JOB_HEARTBEAT_SECONDS } from '@planekeeper/db';
import { notificationDeliverQueue, parsePayload } from '@planekeeper/domain';
import { sql } from 'kysely';
import { fromKysely } from 'pg-boss';
import type { Report } from './lib/report.ts';
import { until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeAlertEvents, makeBenchTenant } from './lib/fixtures.ts';
import { cpuMeter, cpuSecondsOf, postgresCpuSeconds, recordCpu } from './lib/cpu.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';
import { startWebhookReceiver, verifyStandardWebhook } from '../tests/support/webhook-receiver.ts';

const DELIVERIES = 5_000;
const TIME_LIMIT_MS = 60_000;

/**
 * 5,000 deliveries of alert events to a generic webhook channel, queued in one transaction the
 * way the notifier queues a first attempt (`scheduleDeliveryAttempt`: the delivery names its
 * `notification.deliver` job, same heartbeat and crash-retry settings), then worked off by the
 * real notifier process (default settings, loopback allowed) into a local receiver that answers
 * 204. The clock runs from the commit until every webhook has arrived and every delivery is
 * recorded `succeeded`. Signatures are checked on a sample.
 */
export async function benchNotifier(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'notifier');
  const { db } = database.handle;
  const { organizationId } = await makeBenchTenant(db);
  const receiver = await startWebhookReceiver();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let arrived = 0;
  let badSignatures = 0;
  receiver.respond = (webhook) => {
    arrived++;
    if (arrived % 100 === 1 && !verifyStandardWebhook(secret, webhook.headers, webhook.body)) badSignatures++;
    return { status: 204 };
  };
  const boss = createBoss(database.url, { logger: { warn: () => undefined, error: (o) => console.error(o) }, applicationName: 'bench-notifier', supervise: false });
  const notifier = await startApp('notifier', { DATABASE_URL: database.url, NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true', ...profiling('notifier') });
  try {
    await boss.start();
    const channel = await db.insertInto('notification_channels').values({ organization_id: organizationId, name: 'bench receiver', type: 'webhook', url: receiver.url, secret }).returning('id').executeTakeFirstOrThrow();
    await makeAlertEvents(db, organizationId, DELIVERIES);
    await sql`ANALYZE`.execute(db);

    const notifierCpu = cpuMeter(() => cpuSecondsOf(notifier.child.pid!));
    const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
    const started = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string; job_id: string }>`
        INSERT INTO deliveries (organization_id, kind, alert_event_id, channel_id, job_id, next_attempt_at)
        SELECT ${organizationId}, 'event', id, ${channel.id}, gen_random_uuid(), now() FROM alert_events WHERE organization_id = ${organizationId}
        RETURNING id, job_id`.execute(trx);
      const jobs = rows.map((row) => ({
        id: row.job_id,
        data: parsePayload(notificationDeliverQueue, { organizationId, deliveryId: row.id }),
        heartbeatSeconds: DELIVERY_JOB_HEARTBEAT_SECONDS,
        retryDelay: DELIVERY_JOB_CRASH_RETRY_DELAY_SECONDS,
      }));
      await boss.insert(notificationDeliverQueue.name, jobs, { db: fromKysely(trx) });
      return performance.now();
    });
    let timedOut = false;
    await until('every delivery to arrive', async () => arrived >= DELIVERIES, TIME_LIMIT_MS, 10).catch(() => (timedOut = true));
    if (!timedOut) {
      await until('every delivery recorded succeeded', async () => {
        const row = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'succeeded').executeTakeFirstOrThrow();
        return Number(row.n) === DELIVERIES;
      }, 30_000, 10);
    }
    const seconds = (performance.now() - started) / 1000;
    report.record('notifier_deliveries_per_s', arrived / seconds, 'deliveries/s');
    recordCpu(report, 'notifier', { notifier: notifierCpu.stop(), postgres: postgresCpu.stop() }, arrived, 'delivery');
    if (timedOut) report.note(`notifier: only ${arrived} of ${DELIVERIES} deliveries arrived within ${TIME_LIMIT_MS / 1000} s`);
    if (badSignatures > 0) report.note(`notifier: ${badSignatures} sampled webhooks had a bad signature`);
  } finally {
    await notifier.stop();
    await boss.stop({ graceful: false, close: true });
    await receiver.close();
    await database.drop();
  }
}
