import { createBoss, sendJob, type Database } from '@planekeeper/db';
import type { PgBoss } from 'pg-boss';
import { createTestDatabase, makeAlert, makeAlertConfig, makeAlertEvent, makeChannel, makeOrganization, type TestDatabase } from '@planekeeper/db/testing';
import { alertEventQueue, formatWebhookSecret, type AlertEventPayload, type OrganizationId } from '@planekeeper/domain';
import { createLogger } from '@planekeeper/runtime';
import { sql, type Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp, type NotifierService } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

/** Settings that keep tests quick: loopback receivers allowed, retries after about a second. */
export const FAST_ENV = {
  NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true',
  NOTIFIER_RETRY_BASE_SECONDS: '0.2',
  NOTIFIER_RETRY_LIMIT: '3',
  NOTIFIER_POLL_INTERVAL_SECONDS: '0.5',
  NOTIFIER_REQUEST_TIMEOUT_SECONDS: '2',
  PUBLIC_URL: 'https://planekeeper.example.com',
} as const;

export interface NotifierUnderTest {
  test: TestDatabase;
  db: Kysely<Database>;
  service: NotifierService;
  /** A pg-boss of the test's own, to send jobs as the rules-engine or the api would. */
  boss: PgBoss;
  logs: string[];
  /** Sends an `alert.event` job, as the rules-engine does. */
  sendAlertEvent(payload: AlertEventPayload): Promise<void>;
  stop(): Promise<void>;
}

const silent = { warn: () => undefined, error: () => undefined };

/** Starts the real notifier in this process against a fresh database. */
export async function startNotifier(env: Record<string, string> = {}): Promise<NotifierUnderTest> {
  const test = await createTestDatabase();
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ DATABASE_URL: test.url, PORT: '0', LOG_LEVEL: 'debug', ...FAST_ENV, ...env });
  const logger = createLogger({ service: 'notifier', level: config.LOG_LEVEL, destination });
  const service = createApp(config, logger);
  await service.start();
  const boss = createBoss(test.url, { logger: silent, applicationName: 'notifier-test', max: 2, supervise: false });
  await boss.start();
  return {
    test,
    db: test.db,
    service,
    boss,
    logs,
    sendAlertEvent: async (payload) => {
      await sendJob(boss, null, alertEventQueue, payload);
    },
    stop: async () => {
      await boss.stop({ graceful: false, close: true });
      await service.stop();
      await test.destroy();
    },
  };
}

/** Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh Standard Webhooks secret. */
export function newSecret(): string {
  return formatWebhookSecret(randomBytes(32));
}

export interface Scenario {
  organizationId: OrganizationId;
  channelId: string;
  alertConfigId: string;
  alertId: string;
  alertEventId: string;
}

/**
 * An organization with an alert config, an open alert (critical: v1.2.0 deployed, v1.8.0 latest,
 * 6 minors behind), its `created` event, a channel and a rule sending every event of every severity to it.
 */
export async function makeScenario(
  db: Kysely<Database>,
  channel: { type: 'slack' | 'discord' | 'teams' | 'webhook'; url: string; secret?: string | null },
  options: { organizationId?: OrganizationId; configName?: string } = {},
): Promise<Scenario> {
  const organizationId = options.organizationId ?? (await makeOrganization(db, `org-${randomBytes(3).toString('hex')}`)).id;
  const config = await makeAlertConfig(db, organizationId, { name: options.configName ?? 'payments-api kubernetes' });
  const alert = await makeAlert(db, organizationId, config.id, { alert_config_name: config.name, severity: 'critical', deployed_version: 'v1.2.0', latest_version: 'v1.8.0', behind_by: 6 });
  const event = await makeAlertEvent(db, organizationId, alert.id, { type: 'created', severity: 'critical', deployed_version: 'v1.2.0', latest_version: 'v1.8.0', behind_by: 6 });
  const row = await makeChannel(db, organizationId, { name: `${channel.type} channel`, type: channel.type, url: channel.url, secret: channel.secret === undefined ? (channel.type === 'webhook' ? newSecret() : null) : channel.secret });
  await db
    .insertInto('notification_rules')
    .values({ organization_id: organizationId, name: 'everything', channel_id: row.id, events: ['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved'], severities: ['moderate', 'high', 'critical'] })
    .execute();
  return { organizationId, channelId: row.id, alertConfigId: config.id, alertId: alert.id, alertEventId: event.id };
}

/** The deliveries of an organization, oldest first. */
export async function deliveriesOf(db: Kysely<Database>, organizationId: OrganizationId) {
  return db.selectFrom('deliveries').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
}

/** The attempts of a delivery, oldest first. */
export async function attemptsOf(db: Kysely<Database>, deliveryId: string) {
  return db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempted_at').orderBy('id').execute();
}

/** The one delivery of an organization once it has reached `status`. */
export async function settledDelivery(db: Kysely<Database>, organizationId: OrganizationId, status: 'succeeded' | 'failed' | 'dead', timeoutMs = 20_000) {
  return waitFor(`a ${status} delivery`, async () => {
    const [delivery] = await deliveriesOf(db, organizationId);
    return delivery?.status === status ? delivery : undefined;
  }, timeoutMs);
}

/** The pg-boss jobs of a queue whose payload names `deliveryId` (or every job of the queue). */
export async function jobsOf(db: Kysely<Database>, queue: string, deliveryId?: string) {
  const { rows } = await sql<{ id: string; state: string; data: { deliveryId?: string }; start_after: Date }>`
    SELECT id, state, data, start_after FROM pgboss.job WHERE name = ${queue} ORDER BY created_on`.execute(db);
  return deliveryId === undefined ? rows : rows.filter((row) => row.data.deliveryId === deliveryId);
}
