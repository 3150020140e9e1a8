import { executePrepared, type AlertRow, type ChannelType, type Database, type DeliveryOutcome, type DeliveryRow, type DeliveryStatus } from '@planekeeper/db';
import type { AlertEventType, AlertSeverity, OrganizationId } from '@planekeeper/domain';
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

/**
 * Loads a delivery of the organization with its channel, event, alert and config name, in one
 * prepared query: it runs before every attempt, a round trip costs more than the joins, and
 * planning the joins costs more than running them.
 */
export async function loadDeliveryContext(db: Db, organizationId: OrganizationId, deliveryId: string): Promise<DeliveryContext | undefined> {
  const [row] = await executePrepared(db, db
    .selectFrom('deliveries')
    .innerJoin('notification_channels as channel', (join) => join.onRef('channel.id', '=', 'deliveries.channel_id').on('channel.organization_id', '=', organizationId))
    .leftJoin('alert_events as event', (join) => join.onRef('event.id', '=', 'deliveries.alert_event_id').on('event.organization_id', '=', organizationId))
    .leftJoin('alerts as alert', (join) => join.onRef('alert.id', '=', 'event.alert_id').on('alert.organization_id', '=', organizationId))
    .leftJoin('alert_configs as config', (join) => join.onRef('config.id', '=', 'alert.alert_config_id').on('config.organization_id', '=', organizationId))
    // Named, not deliveries.*: the statement is prepared (PREPARED_STATEMENT_MARK).
    .select([
      'deliveries.id', 'deliveries.organization_id', 'deliveries.kind', 'deliveries.alert_event_id', 'deliveries.channel_id',
      'deliveries.status', 'deliveries.attempts', 'deliveries.last_status_code', 'deliveries.last_error', 'deliveries.next_attempt_at',
      'deliveries.delivered_at', 'deliveries.created_at', 'deliveries.updated_at', 'deliveries.job_id', 'deliveries.budget_attempts',
      'deliveries.replayed_at',
      'channel.name as channel_name',
      'channel.type as channel_type',
      'channel.url as channel_url',
      'channel.secret as channel_secret',
      'channel.enabled as channel_enabled',
      'channel.disabled_reason as channel_disabled_reason',
      'event.id as event_id',
      'event.type as event_type',
      'event.severity as event_severity',
      'event.deployed_version as event_deployed_version',
      'event.latest_version as event_latest_version',
      'event.behind_by as event_behind_by',
      'event.actor as event_actor',
      'event.created_at as event_created_at',
      'alert.id as alert_id',
      'alert.organization_id as alert_organization_id',
      'alert.alert_config_id as alert_alert_config_id',
      'alert.alert_config_name as alert_alert_config_name',
      'alert.status as alert_status',
      'alert.severity as alert_severity',
      'alert.rule_type as alert_rule_type',
      'alert.deployed_version as alert_deployed_version',
      'alert.latest_version as alert_latest_version',
      'alert.behind_by as alert_behind_by',
      'alert.acknowledged_at as alert_acknowledged_at',
      'alert.acknowledged_by as alert_acknowledged_by',
      'alert.created_at as alert_created_at',
      'alert.updated_at as alert_updated_at',
      'alert.resolved_at as alert_resolved_at',
      'config.name as config_name',
    ])
    .where('deliveries.organization_id', '=', organizationId)
    .where('deliveries.id', '=', deliveryId));
  if (!row) return undefined;
  const {
    channel_name, channel_type, channel_url, channel_secret, channel_enabled, channel_disabled_reason,
    event_id, event_type, event_severity, event_deployed_version, event_latest_version, event_behind_by, event_actor, event_created_at,
    alert_id, alert_organization_id, alert_alert_config_id, alert_alert_config_name, alert_status, alert_severity, alert_rule_type,
    alert_deployed_version, alert_latest_version, alert_behind_by, alert_acknowledged_at, alert_acknowledged_by, alert_created_at,
    alert_updated_at, alert_resolved_at, config_name,
    ...delivery
  } = row;
  const channel = { id: delivery.channel_id, name: channel_name, type: channel_type, url: channel_url, secret: channel_secret, enabled: channel_enabled, disabledReason: channel_disabled_reason };
  // An event is deleted with its alert (cascade): without both there is nothing to tell. Past
  // this check the inner columns of both are present (the left joins only make them nullable).
  if (event_id === null || alert_id === null) return { delivery, channel, event: null };
  const alert: AlertRow = {
    id: alert_id,
    organization_id: alert_organization_id!,
    alert_config_id: alert_alert_config_id,
    alert_config_name: alert_alert_config_name!,
    status: alert_status!,
    severity: alert_severity!,
    rule_type: alert_rule_type!,
    deployed_version: alert_deployed_version!,
    latest_version: alert_latest_version!,
    behind_by: alert_behind_by!,
    acknowledged_at: alert_acknowledged_at,
    acknowledged_by: alert_acknowledged_by,
    created_at: alert_created_at!,
    updated_at: alert_updated_at!,
    resolved_at: alert_resolved_at,
    // Messages say who snoozed from the event's actor; the alert's snooze columns are not read here.
    snoozed_at: null,
    snoozed_until: null,
    snooze_latest_version: null,
    snoozed_by: null,
    snooze_reason: null,
    snoozed_severity: null,
  };
  return {
    delivery,
    channel,
    event: {
      id: event_id,
      type: event_type!,
      severity: event_severity!,
      deployedVersion: event_deployed_version!,
      latestVersion: event_latest_version!,
      behindBy: event_behind_by!,
      actor: event_actor,
      createdAt: event_created_at!,
      alert,
      alertConfig: { id: alert.alert_config_id, name: config_name ?? alert.alert_config_name },
    },
  };
}

/**
 * Locks a pending delivery for recording an attempt made under `jobId`, or returns undefined when
 * that job no longer speaks for it (another job took over, or it is settled): its result is then
 * not recorded.
 */
export async function lockDeliveryForJob(trx: Transaction<Database>, organizationId: OrganizationId, deliveryId: string, jobId: string): Promise<DeliveryRow | undefined> {
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
  organizationId: OrganizationId,
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

/**
 * Records an attempt that settles the delivery (succeeded, or failed for good) and the delivery's
 * new state in one statement, without a transaction of its own: only while `jobId` may attempt
 * the pending delivery (as {@link lockDeliveryForJob} requires) and its budget is still
 * `budgetBefore`. Returns the delivery's attempts so far, or undefined when it did not apply.
 */
export async function settleAttempt(
  db: Db,
  target: { organizationId: OrganizationId; deliveryId: string; jobId: string; budgetBefore: number },
  attempt: AttemptRecord,
  status: 'succeeded' | 'failed',
): Promise<{ attempts: number } | undefined> {
  const { organizationId, deliveryId, jobId, budgetBefore } = target;
  // Prepared (PREPARED_STATEMENT_MARK): it runs once per delivery.
  const { rows } = await sql<{ attempts: number }>`/* prepared */
    WITH target AS MATERIALIZED (
      -- Found by primary key first: with status in the same condition the planner may walk
      -- deliveries_org_status instead, through every pending delivery of a burst it has no
      -- statistics for yet, once per attempt.
      SELECT id FROM deliveries WHERE id = ${deliveryId} AND organization_id = ${organizationId}
    ), settled AS (
      UPDATE deliveries AS d
         SET status = ${status}, attempts = d.attempts + 1, budget_attempts = d.budget_attempts + 1,
             last_status_code = ${attempt.statusCode}, last_error = ${attempt.error}, updated_at = now(),
             delivered_at = CASE WHEN ${status} = 'succeeded' THEN now() ELSE d.delivered_at END,
             next_attempt_at = NULL, job_id = NULL
        FROM target
       WHERE d.id = target.id AND d.status = 'pending'
         AND (d.job_id IS NULL OR d.job_id = ${jobId}) AND d.budget_attempts = ${budgetBefore}
      RETURNING d.id, d.attempts
    ), attempt AS (
      INSERT INTO delivery_attempts (organization_id, delivery_id, outcome, status_code, error, latency_ms)
      SELECT ${organizationId}, id, ${attempt.outcome}, ${attempt.statusCode}, ${attempt.error}, ${attempt.latencyMs} FROM settled
    )
    SELECT attempts FROM settled`.execute(db);
  return rows[0];
}

/** Settles a pending delivery without an attempt (its channel was disabled meanwhile). */
export async function failDeliveryUnsent(trx: Transaction<Database>, organizationId: OrganizationId, deliveryId: string, error: string): Promise<void> {
  await trx
    .updateTable('deliveries')
    .set({ status: 'failed', last_error: error, next_attempt_at: null, job_id: null, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

/** Disables a channel whose target answered 410 Gone, saying why (shown by the API). */
export async function disableChannel(trx: Transaction<Database>, organizationId: OrganizationId, channelId: string, reason: string): Promise<void> {
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
export async function markDeliveryDeadByJob(db: Db, organizationId: OrganizationId, deliveryId: string, jobId: string | null, error: string): Promise<boolean> {
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
