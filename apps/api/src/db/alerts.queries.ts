import { executePrepared, type Database } from '@planekeeper/db';
import type { AlertEventListQuery, AlertListQuery, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { containsPattern } from './name-search.ts';
import { afterCreatedAt, afterSortKey, createdAtKey, type PageRequest } from './keyset.ts';

/** What an alert's answer shows besides its timestamps (not the organization). */
export const ALERT_COLUMNS = [
  'id', 'alert_config_id', 'alert_config_name', 'rule_type', 'status', 'severity', 'deployed_version', 'latest_version',
  'behind_by', 'acknowledged_by', 'snooze_latest_version', 'snoozed_by', 'snooze_reason',
] as const;

/** The filters of the alert list. */
export type AlertFilters = Pick<AlertListQuery, 'status' | 'severity' | 'alertConfigId' | 'acknowledged' | 'q'>;

/**
 * The query of one page of alerts, newest first. The organization (and status) equality plus the
 * (created_at, id) keyset walk the alerts_org_status or alerts_org_created index in order, so a
 * page costs `limit` index entries however many alerts there are; a config filter walks
 * alerts_config instead.
 */
export function alertPageQuery(db: Kysely<Database>, organizationId: OrganizationId, filters: AlertFilters, page: PageRequest) {
  let q = db
    .selectFrom('alerts')
    .select(ALERT_COLUMNS)
    // Timestamps as text, printed straight into the answer: a page never makes 150 Dates.
    .select([
      sql<string | null>`alerts.acknowledged_at::text`.as('acknowledged_at'),
      sql<string>`alerts.created_at::text`.as('created_at'),
      sql<string>`alerts.updated_at::text`.as('updated_at'),
      sql<string | null>`alerts.resolved_at::text`.as('resolved_at'),
      sql<string | null>`alerts.snoozed_at::text`.as('snoozed_at'),
      sql<string | null>`alerts.snoozed_until::text`.as('snoozed_until'),
    ])
    .select(createdAtKey('alerts').as('sort_key'))
    .where('organization_id', '=', organizationId);
  if (filters.status) q = q.where('status', '=', filters.status);
  if (filters.severity) q = q.where('severity', '=', filters.severity);
  if (filters.alertConfigId) q = q.where('alert_config_id', '=', filters.alertConfigId);
  if (filters.acknowledged) q = q.where('acknowledged_at', filters.acknowledged === 'yes' ? 'is not' : 'is', null);
  if (filters.q) q = q.where('alert_config_name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('alerts', page.after));
  // Qualified: a bare created_at would sort by the text column of the same name.
  return q.orderBy('alerts.created_at', 'desc').orderBy('alerts.id', 'desc').limit(page.limit + 1);
}

/**
 * One page of alerts. Prepared: the most requested list, of a few shapes of text at most (which
 * filters are given), and planning it costs Postgres about as much as running it.
 */
export async function listAlerts(db: Kysely<Database>, organizationId: OrganizationId, filters: AlertFilters, page: PageRequest) {
  return executePrepared(db, alertPageQuery(db, organizationId, filters, page));
}

export async function findAlert(db: Kysely<Database>, organizationId: OrganizationId, id: string, options: { forUpdate?: boolean } = {}) {
  return db
    .selectFrom('alerts')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

/** A page of an alert's events, oldest first (the order they happened). */
export async function listAlertEvents(db: Kysely<Database>, organizationId: OrganizationId, alertId: string, filters: Pick<AlertEventListQuery, 'type'>, page: PageRequest) {
  let q = db
    .selectFrom('alert_events')
    .selectAll()
    .select(createdAtKey('alert_events').as('sort_key'))
    .where('organization_id', '=', organizationId)
    .where('alert_id', '=', alertId);
  if (filters.type) q = q.where('type', '=', filters.type);
  if (page.after) q = q.where(afterSortKey(sql<Date>`alert_events.created_at`, 'alert_events.id', page.after, true));
  return q.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(page.limit + 1).execute();
}
