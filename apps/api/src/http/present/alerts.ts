import { isoTimestamp, type AlertEventRow, type AlertRow } from '@planekeeper/db';
import type { AlertEventResponse, AlertResponse } from '@planekeeper/domain';
import type { ALERT_COLUMNS } from '../../db/alerts.queries.ts';

/** A timestamp as the API prints it, from a Date or from Postgres's text of it (see isoTimestamp). */
function iso(value: Date | string): string;
function iso(value: Date | string | null): string | null;
function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? isoTimestamp(value) : value.toISOString();
}

type TimestampColumn = 'acknowledged_at' | 'created_at' | 'updated_at' | 'resolved_at' | 'snoozed_at' | 'snoozed_until';

/** An alert row, its timestamps as Dates or (from the page query) as Postgres's text. */
type PresentedAlertRow = Pick<AlertRow, (typeof ALERT_COLUMNS)[number]> & { [K in TimestampColumn]: AlertRow[K] | string };

export function presentAlert(row: PresentedAlertRow): AlertResponse {
  return {
    id: row.id,
    alertConfigId: row.alert_config_id,
    alertConfigName: row.alert_config_name,
    ruleType: row.rule_type,
    status: row.status,
    severity: row.severity,
    deployedVersion: row.deployed_version,
    latestVersion: row.latest_version,
    behindBy: row.behind_by,
    acknowledged: row.acknowledged_at !== null,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    snooze:
      row.snoozed_at === null
        ? null
        : {
            snoozedAt: iso(row.snoozed_at),
            until: iso(row.snoozed_until),
            untilLatestChanges: row.snooze_latest_version !== null,
            latestVersion: row.snooze_latest_version,
            snoozedBy: row.snoozed_by ?? '',
            reason: row.snooze_reason,
          },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    resolvedAt: iso(row.resolved_at),
  };
}

export function presentAlertEvent(row: AlertEventRow): AlertEventResponse {
  return {
    id: row.id,
    alertId: row.alert_id,
    type: row.type,
    severity: row.severity,
    deployedVersion: row.deployed_version,
    latestVersion: row.latest_version,
    behindBy: row.behind_by,
    actor: row.actor,
    createdAt: row.created_at.toISOString(),
  };
}
