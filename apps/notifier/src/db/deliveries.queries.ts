import type { AlertRow, ChannelType, Database, DeliveryOutcome, DeliveryRow, DeliveryStatus } from '@planekeeper/db';
import type { AlertEventType, AlertSeverity } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;

/** A delivery with everything an attempt needs: its channel (with URL and secret) and what it is about. */
export interface DeliveryContext {
  delivery: DeliveryRow;
  channel: { id: string; name: string; type: ChannelType; url: string; secret: string | null; enabled: boolean; disabledReason: string | null };
  /** Present for event deliveries whose event still exists. */
  event: {
    id: string;
    type: AlertEventType;
    severity: AlertSeverity;
    deployedVersion: string;
    latestVersion: string;
    behindBy: number;
    actor: string | null;
    createdAt: Date;
    alert: AlertRow;
    alertConfig: { id: string | null; name: string };
  } | null;
}

/** Loads a delivery of the organization with its channel, event, alert and config name. */
export async function loadDeliveryContext(db: Db, organizationId: string, deliveryId: string): Promise<DeliveryContext | undefined> {
  const row = await db
    .selectFrom('deliveries')
    .innerJoin('notification_channels as channel', 'channel.id', 'deliveries.channel_id')
    .selectAll('deliveries')
    .select([
      'channel.name as channel_name',
      'channel.type as channel_type',
      'channel.url as channel_url',
      'channel.secret as channel_secret',
      'channel.enabled as channel_enabled',
      'channel.disabled_reason as channel_disabled_reason',
    ])
    .where('deliveries.organization_id', '=', organizationId)
    .where('deliveries.id', '=', deliveryId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { channel_name, channel_type, channel_url, channel_secret, channel_enabled, channel_disabled_reason, ...delivery } = row;
  const channel = { id: delivery.channel_id, name: channel_name, type: channel_type, url: channel_url, secret: channel_secret, enabled: channel_enabled, disabledReason: channel_disabled_reason };
  if (delivery.alert_event_id === null) return { delivery, channel, event: null };
  const event = await db
    .selectFrom('alert_events')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', delivery.alert_event_id)
    .executeTakeFirst();
  if (!event) return { delivery, channel, event: null };
  const alert = await db.selectFrom('alerts').selectAll().where('organization_id', '=', organizationId).where('id', '=', event.alert_id).executeTakeFirstOrThrow();
  const config = alert.alert_config_id === null
    ? undefined
    : await db.selectFrom('alert_configs').select(['id', 'name']).where('organization_id', '=', organizationId).where('id', '=', alert.alert_config_id).executeTakeFirst();
  return {
    delivery,
    channel,
    event: {
      id: event.id,
      type: event.type,
      severity: event.severity,
      deployedVersion: event.deployed_version,
      latestVersion: event.latest_version,
      behindBy: event.behind_by,
      actor: event.actor,
      createdAt: event.created_at,
      alert,
      alertConfig: { id: alert.alert_config_id, name: config?.name ?? alert.alert_config_name },
    },
  };
}

/**
 * Locks a pending delivery for recording an attempt made under `jobId`, or returns undefined when
 * that job no longer speaks for it (another job took over, or it is settled): its result is then
 * not recorded.
 */
export async function lockDeliveryForJob(trx: Transaction<Database>, organizationId: string, deliveryId: string, jobId: string): Promise<DeliveryRow | undefined> {
  const row = await trx
    .selectFrom('deliveries')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', deliveryId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.status !== 'pending' || (row.job_id !== null && row.job_id !== jobId)) return undefined;
  return row;
}

/** One attempt as recorded. */
export interface AttemptRecord {
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

/** Records an attempt and the delivery's resulting state (the caller holds the delivery's lock). */
export async function recordAttempt(
  trx: Transaction<Database>,
  organizationId: string,
  deliveryId: string,
  attempt: AttemptRecord,
  next: { status: DeliveryStatus },
): Promise<void> {
  await trx
    .insertInto('delivery_attempts')
    .values({ organization_id: organizationId, delivery_id: deliveryId, outcome: attempt.outcome, status_code: attempt.statusCode, error: attempt.error, latency_ms: attempt.latencyMs })
    .execute();
  const settled = next.status !== 'pending';
  await trx
    .updateTable('deliveries')
    .set({
      status: next.status,
      attempts: sql<number>`attempts + 1`,
      budget_attempts: sql<number>`budget_attempts + 1`,
      last_status_code: attempt.statusCode,
      last_error: attempt.error,
      updated_at: sql<Date>`now()`,
      ...(next.status === 'succeeded' ? { delivered_at: sql<Date>`now()` } : {}),
      ...(settled ? { next_attempt_at: null, job_id: null } : {}),
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', deliveryId)
    .execute();
}

/** Settles a pending delivery without an attempt (its channel was disabled meanwhile). */
export async function failDeliveryUnsent(trx: Transaction<Database>, organizationId: string, deliveryId: string, error: string): Promise<void> {
  await trx
    .updateTable('deliveries')
    .set({ status: 'failed', last_error: error, next_attempt_at: null, job_id: null, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

/** Disables a channel whose target answered 410 Gone, saying why (shown by the API). */
export async function disableChannel(trx: Transaction<Database>, organizationId: string, channelId: string, reason: string): Promise<void> {
  await trx
    .updateTable('notification_channels')
    .set({ enabled: false, disabled_reason: reason, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', channelId)
    .execute();
}

/**
 * Marks a delivery dead whose pg-boss job was dead-lettered (the notifier crashed or hung on it
 * more often than the queue retries), unless a newer job has taken it over or it is settled.
 * Returns whether it changed.
 */
export async function markDeliveryDeadByJob(db: Db, organizationId: string, deliveryId: string, jobId: string | null, error: string): Promise<boolean> {
  let query = db
    .updateTable('deliveries')
    .set({ status: 'dead', last_error: error, next_attempt_at: null, job_id: null, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending');
  if (jobId !== null) query = query.where((eb) => eb.or([eb('job_id', '=', jobId), eb('job_id', 'is', null)]));
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Dead deliveries across the installation, for the dead-letter depth gauge. The one query without
 * a tenant: metrics describe the whole notifier, never one organization's rows.
 */
export async function countDeadDeliveriesInstallationWide(db: Db): Promise<number> {
  const row = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('count')).where('status', '=', 'dead').executeTakeFirstOrThrow();
  return Number(row.count);
}
