import { executePrepared, isoTimestamp, type AlertEventRow, type AlertRow, type Database } from '@planekeeper/db';
import type { AlertEventListQuery, AlertEventResponse, AlertListQuery, AlertResponse } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCursor, cursorColumn, decodeCursor, toPage } from '../http/pagination.ts';

/** A timestamp as the API prints it, from a Date or from Postgres's text of it (see isoTimestamp). */
function iso(value: Date | string): string;
function iso(value: Date | string | null): string | null;
function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? isoTimestamp(value) : value.toISOString();
}

type TimestampColumn = 'acknowledged_at' | 'created_at' | 'updated_at' | 'resolved_at';

/** What an alert's answer shows besides its timestamps (not the organization). */
const ALERT_COLUMNS = [
  'id', 'alert_config_id', 'alert_config_name', 'rule_type', 'status', 'severity', 'deployed_version', 'latest_version',
  'behind_by', 'acknowledged_by',
] as const;

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

/**
 * The query of one page of alerts, newest first. The organization (and status) equality plus the
 * (created_at, id) keyset walk the alerts_org_status or alerts_org_created index in order, so a
 * page costs `limit` index entries however many alerts there are; a config filter walks
 * alerts_config instead.
 */
export function alertPageQuery(db: Kysely<Database>, organizationId: string, query: AlertListQuery) {
  let q = db
    .selectFrom('alerts')
    .select(ALERT_COLUMNS)
    // Timestamps as text, printed straight into the answer: a page never makes 150 Dates.
    .select([
      sql<string | null>`alerts.acknowledged_at::text`.as('acknowledged_at'),
      sql<string>`alerts.created_at::text`.as('created_at'),
      sql<string>`alerts.updated_at::text`.as('updated_at'),
      sql<string | null>`alerts.resolved_at::text`.as('resolved_at'),
    ])
    .select(cursorColumn('alerts').as('cursor_ts'))
    .where('organization_id', '=', organizationId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.severity) q = q.where('severity', '=', query.severity);
  if (query.alertConfigId) q = q.where('alert_config_id', '=', query.alertConfigId);
  if (query.cursor) q = q.where(afterCursor('alerts', query.cursor));
  // Qualified: a bare created_at would sort by the text column of the same name.
  return q.orderBy('alerts.created_at', 'desc').orderBy('alerts.id', 'desc').limit(query.limit + 1);
}

/**
 * One page of alerts. Prepared: the most requested list, of a few shapes of text at most (which
 * filters are given), and planning it costs Postgres about as much as running it.
 */
export async function listAlerts(db: Kysely<Database>, organizationId: string, query: AlertListQuery) {
  return toPage(await executePrepared(db, alertPageQuery(db, organizationId, query)), query.limit, presentAlert);
}

export async function findAlert(db: Kysely<Database>, organizationId: string, id: string) {
  return db.selectFrom('alerts').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** An alert's events oldest first (the order they happened), in cursor pages. */
export async function listAlertEvents(db: Kysely<Database>, organizationId: string, alertId: string, query: Omit<AlertEventListQuery, 'alertId'>) {
  let q = db
    .selectFrom('alert_events')
    .selectAll()
    .select(cursorColumn('alert_events').as('cursor_ts'))
    .where('organization_id', '=', organizationId)
    .where('alert_id', '=', alertId);
  if (query.type) q = q.where('type', '=', query.type);
  if (query.cursor) {
    const { t, i } = decodeCursor(query.cursor);
    q = q.where(sql<boolean>`(alert_events.created_at, alert_events.id) > (${t}::timestamptz, ${i}::uuid)`);
  }
  const rows = await q.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentAlertEvent);
}
