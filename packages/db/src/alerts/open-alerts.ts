import type { OpenAlertState, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AlertRow, Database } from '../schema.ts';

/** The lifecycle's view of an open alert row. */
export function openAlertState(row: AlertRow): OpenAlertState {
  return {
    severity: row.severity,
    deployedVersion: row.deployed_version,
    latestVersion: row.latest_version,
    behindBy: row.behind_by,
    acknowledged: row.acknowledged_at !== null,
    snooze:
      row.snoozed_at === null || row.snoozed_by === null || row.snoozed_severity === null
        ? null
        : {
            until: row.snoozed_until?.toISOString() ?? null,
            latestVersion: row.snooze_latest_version,
            severity: row.snoozed_severity,
            by: row.snoozed_by,
            reason: row.snooze_reason,
          },
  };
}

/**
 * The open alerts of the given configs, by config id. With `forUpdate` the rows are locked: take
 * the alert_configs locks first (the order every writer follows), then this.
 */
export async function findOpenAlerts(
  db: Kysely<Database> | Transaction<Database>,
  organizationId: OrganizationId,
  alertConfigIds: readonly string[],
  options: { forUpdate?: boolean } = {},
): Promise<Map<string, AlertRow>> {
  if (alertConfigIds.length === 0) return new Map();
  // The organization is tested as `(organization_id = $1) IS TRUE`, which no index answers: as a
  // plain equality, a planner without fresh statistics (a rule's first evaluation opens alerts
  // faster than autovacuum analyzes them) reads every open alert of the organization through
  // alerts_org_status for each batch. This way only alerts_one_open_per_config can serve it.
  let query = db
    .selectFrom('alerts')
    .selectAll()
    // One array parameter, not a thousand.
    .where(sql<boolean>`alert_config_id = ANY(${alertConfigIds}::uuid[])`)
    .where('status', '=', 'open')
    .where(sql<boolean>`(organization_id = ${organizationId}) IS TRUE`)
    .orderBy('id');
  if (options.forUpdate) query = query.forUpdate();
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.alert_config_id as string, row]));
}
