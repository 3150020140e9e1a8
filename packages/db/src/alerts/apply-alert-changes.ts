import { alertEventQueue, parsePayload, type AlertDecision, type AlertEventType, type AlertSeverity, type OrganizationId } from '@planekeeper/domain';
import { sql, type Transaction } from 'kysely';
import { fromKysely, type PgBoss } from 'pg-boss';
import type { AlertRow, Database, RuleType } from '../schema.ts';

/** One decision of the alert lifecycle (decideAlert, acknowledgeAlert, ...) to write for one config. */
export interface AlertChange {
  alertConfigId: string;
  /** Stored on the alert so it keeps its name after the config is deleted. */
  alertConfigName: string;
  ruleType: RuleType;
  /** The open alert the decision was made on (locked by the caller), or null when there is none. */
  current: AlertRow | null;
  decision: AlertDecision;
  /** Who caused the events (the acknowledging key's name); null for the rules engine. */
  actor?: string | null;
}

/** An alert event as written, with what a log line or a metric needs. */
export interface RecordedAlertEvent {
  id: string;
  alertId: string;
  type: AlertEventType;
  severity: AlertSeverity;
}

/** What {@link applyAlertChanges} wrote. */
export interface AppliedAlertChanges {
  /** Alert id per alert config touched (opened, updated or resolved). */
  alertIds: Map<string, string>;
  events: RecordedAlertEvent[];
}

interface EventRow {
  alert_id: string;
  type: AlertEventType;
  severity: AlertSeverity;
  deployed_version: string;
  latest_version: string;
  behind_by: number;
  actor: string | null;
  notified: boolean;
  seq: number;
}

function requireCurrent(change: AlertChange): AlertRow {
  if (change.current === null) {
    throw new Error(`alert config ${change.alertConfigId}: a ${change.decision.action} decision needs the open alert it was made on`);
  }
  return change.current;
}

function requireNext(change: AlertChange) {
  if (change.decision.next === null) throw new Error(`alert config ${change.alertConfigId}: a ${change.decision.action} decision needs its next state`);
  return change.decision.next;
}

/**
 * Writes alert lifecycle decisions of one organization in the caller's transaction, set-based
 * (one statement per kind of write however many configs): opens, updates and resolves alert rows,
 * inserts their `alert_events`, and sends one `alert.event` job per event in the same
 * transaction, so an event and its notification commit together or not at all.
 *
 * The caller serializes per config (locks the alert_configs rows, or the alert row for a user's
 * acknowledgement) and reads `current` after taking the lock, so two writers never open two alerts
 * or record one change twice. Events of one alert are timestamped in the order the decision lists them.
 */
export async function applyAlertChanges(
  trx: Transaction<Database>,
  boss: PgBoss,
  organizationId: OrganizationId,
  changes: readonly AlertChange[],
): Promise<AppliedAlertChanges> {
  const alertIds = new Map<string, string>();
  const opens = changes.filter((c) => c.decision.action === 'open');
  const updates = changes.filter((c) => c.decision.action === 'update');
  const resolves = changes.filter((c) => c.decision.action === 'resolve');

  if (opens.length > 0) {
    const rows = opens.map((change) => {
      if (change.current !== null) throw new Error(`alert config ${change.alertConfigId} already has an open alert`);
      const next = requireNext(change);
      return {
        alert_config_id: change.alertConfigId,
        alert_config_name: change.alertConfigName,
        rule_type: change.ruleType,
        severity: next.severity,
        deployed_version: next.deployedVersion,
        latest_version: next.latestVersion,
        behind_by: next.behindBy,
      };
    });
    const { rows: opened } = await sql<{ id: string; alert_config_id: string }>`
      INSERT INTO alerts (organization_id, alert_config_id, alert_config_name, status, severity, rule_type,
                          deployed_version, latest_version, behind_by)
      SELECT ${organizationId}::uuid, v.alert_config_id, v.alert_config_name, 'open', v.severity, v.rule_type,
             v.deployed_version, v.latest_version, v.behind_by
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(alert_config_id uuid, alert_config_name text,
             rule_type text, severity text, deployed_version text, latest_version text, behind_by double precision)
      RETURNING id, alert_config_id`.execute(trx);
    for (const row of opened) alertIds.set(row.alert_config_id, row.id);
  }

  if (updates.length > 0) {
    const rows = updates.map((change) => {
      const current = requireCurrent(change);
      const next = requireNext(change);
      alertIds.set(change.alertConfigId, current.id);
      return {
        id: current.id,
        alert_config_name: change.alertConfigName,
        rule_type: change.ruleType,
        severity: next.severity,
        deployed_version: next.deployedVersion,
        latest_version: next.latestVersion,
        behind_by: next.behindBy,
        acknowledged: next.acknowledged,
        actor: change.actor ?? null,
        snoozed: next.snooze ? true : false,
        snoozed_until: next.snooze?.until ?? null,
        snooze_latest_version: next.snooze?.latestVersion ?? null,
        snoozed_by: next.snooze?.by ?? null,
        snooze_reason: next.snooze?.reason ?? null,
        snoozed_severity: next.snooze?.severity ?? null,
      };
    });
    // An acknowledgement that stays keeps its time and author; a new one takes now() and the actor.
    const updated = await sql`
      UPDATE alerts AS a
         SET alert_config_name = v.alert_config_name, rule_type = v.rule_type, severity = v.severity,
             deployed_version = v.deployed_version, latest_version = v.latest_version, behind_by = v.behind_by,
             acknowledged_at = CASE WHEN v.acknowledged THEN COALESCE(a.acknowledged_at, now()) END,
             acknowledged_by = CASE WHEN v.acknowledged THEN CASE WHEN a.acknowledged_at IS NULL THEN v.actor ELSE a.acknowledged_by END END,
             -- A snooze that stays keeps its time; a new or replaced one (another by, until or reason) takes now().
             snoozed_at = CASE WHEN v.snoozed THEN CASE WHEN (a.snoozed_by, a.snoozed_until, a.snooze_latest_version, a.snooze_reason)
                                 IS NOT DISTINCT FROM (v.snoozed_by, v.snoozed_until, v.snooze_latest_version, v.snooze_reason)
                               THEN COALESCE(a.snoozed_at, now()) ELSE now() END END,
             snoozed_until = v.snoozed_until, snooze_latest_version = v.snooze_latest_version, snoozed_by = v.snoozed_by,
             snooze_reason = v.snooze_reason, snoozed_severity = v.snoozed_severity,
             updated_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id uuid, alert_config_name text, rule_type text,
             severity text, deployed_version text, latest_version text, behind_by double precision, acknowledged boolean, actor text,
             snoozed boolean, snoozed_until timestamptz, snooze_latest_version text, snoozed_by text, snooze_reason text, snoozed_severity text)
       WHERE a.id = v.id AND a.organization_id = ${organizationId}::uuid AND a.status = 'open'`.execute(trx);
    expectAffected('update', updated.numAffectedRows, rows.length);
  }

  if (resolves.length > 0) {
    const rows = resolves.map((change) => {
      const current = requireCurrent(change);
      alertIds.set(change.alertConfigId, current.id);
      // Resolved by an evaluation: it closes showing what is deployed now. Disabled or deleted: as it was.
      const closing = change.decision.next ?? requireCurrentState(change);
      return { id: current.id, deployed_version: closing.deployedVersion, latest_version: closing.latestVersion, behind_by: closing.behindBy };
    });
    const resolved = await sql`
      UPDATE alerts AS a
         SET status = 'resolved', resolved_at = now(), updated_at = now(),
             snoozed_at = NULL, snoozed_until = NULL, snooze_latest_version = NULL, snoozed_by = NULL, snooze_reason = NULL, snoozed_severity = NULL,
             deployed_version = v.deployed_version, latest_version = v.latest_version, behind_by = v.behind_by
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id uuid, deployed_version text, latest_version text, behind_by double precision)
       WHERE a.id = v.id AND a.organization_id = ${organizationId}::uuid AND a.status = 'open'`.execute(trx);
    expectAffected('resolve', resolved.numAffectedRows, rows.length);
  }

  const eventRows: EventRow[] = [];
  for (const change of changes) {
    const alertId = alertIds.get(change.alertConfigId);
    if (alertId === undefined || change.decision.events.length === 0) continue;
    // Every event carries the alert as this change writes it (a disabled config's resolve: as it was).
    const shown = change.decision.next ?? requireCurrentState(change);
    change.decision.events.forEach((event, seq) => {
      eventRows.push({
        alert_id: alertId,
        type: event.type,
        severity: event.severity,
        deployed_version: shown.deployedVersion,
        latest_version: shown.latestVersion,
        behind_by: shown.behindBy,
        actor: change.actor ?? null,
        notified: event.silenced !== true,
        seq,
      });
    });
  }
  const events = await insertEvents(trx, boss, organizationId, eventRows);
  return { alertIds, events };
}

// The caller holds the locks, so an alert that is no longer open means a caller skipped them.
function expectAffected(what: string, affected: bigint | undefined, expected: number): void {
  if (affected !== undefined && Number(affected) !== expected) {
    throw new Error(`alert ${what}: ${expected} open alerts expected, ${affected} found (were the alert configs locked?)`);
  }
}

function requireCurrentState(change: AlertChange) {
  const current = requireCurrent(change);
  return { deployedVersion: current.deployed_version, latestVersion: current.latest_version, behindBy: current.behind_by };
}

async function insertEvents(trx: Transaction<Database>, boss: PgBoss, organizationId: OrganizationId, rows: EventRow[]): Promise<RecordedAlertEvent[]> {
  if (rows.length === 0) return [];
  // clock_timestamp(), not now(): a transaction that waited for a lock records when the event
  // happened, not when it began; `seq` keeps the events of one decision in their order.
  const { rows: inserted } = await sql<{ id: string; alert_id: string; type: AlertEventType; severity: AlertSeverity; notified: boolean }>`
    INSERT INTO alert_events (organization_id, alert_id, type, severity, deployed_version, latest_version, behind_by, actor, notified, created_at)
    SELECT ${organizationId}::uuid, e.alert_id, e.type, e.severity, e.deployed_version, e.latest_version, e.behind_by, e.actor, e.notified,
           clock_timestamp() + e.seq * interval '1 microsecond'
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS e(alert_id uuid, type text, severity text,
           deployed_version text, latest_version text, behind_by double precision, actor text, notified boolean, seq integer)
    RETURNING id, alert_id, type, severity, notified`.execute(trx);
  // Events of a snoozed alert are recorded only: no alert.event job, so no notification.
  const jobs = inserted.filter((event) => event.notified).map((event) => ({ data: parsePayload(alertEventQueue, { organizationId, alertEventId: event.id }) }));
  if (jobs.length > 0) await boss.insert(alertEventQueue.name, jobs, { db: fromKysely(trx) });
  return inserted.map((event) => ({ id: event.id, alertId: event.alert_id, type: event.type, severity: event.severity }));
}
