import type { Database, EvaluationRow } from '@planekeeper/db';
import type { EvaluationListQuery, EvaluationResponse } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

export function presentEvaluation(row: EvaluationRow): EvaluationResponse {
  const details = row.details as { dateSource?: unknown; notes?: unknown };
  const dateSource = details.dateSource === 'published' || details.dateSource === 'first_seen' ? details.dateSource : null;
  const notes = Array.isArray(details.notes) ? details.notes.filter((note): note is string => typeof note === 'string') : [];
  return {
    id: row.alert_config_id,
    alertConfigId: row.alert_config_id,
    status: row.status,
    reason: row.reason,
    deployedVersion: row.deployed_version,
    latestVersion: row.latest_version,
    behindBy: row.behind_by,
    severity: row.severity,
    dateSource,
    notes,
    evaluatedAt: row.evaluated_at.toISOString(),
  };
}

/**
 * The latest evaluation of each config, in the order of the configs (newest first): evaluated_at
 * moves on every evaluation, so paging by it would skip or repeat rows between pages.
 */
export async function listEvaluations(db: Kysely<Database>, organizationId: string, query: EvaluationListQuery) {
  let q = db
    .selectFrom('evaluations')
    .innerJoin('alert_configs', 'alert_configs.id', 'evaluations.alert_config_id')
    .selectAll('evaluations')
    .select(['alert_configs.id as id', cursorColumn('alert_configs').as('cursor_ts')])
    .where('evaluations.organization_id', '=', organizationId)
    .where('alert_configs.organization_id', '=', organizationId);
  if (query.alertConfigId) q = q.where('evaluations.alert_config_id', '=', query.alertConfigId);
  if (query.status) q = q.where('evaluations.status', '=', query.status);
  if (query.cursor) q = q.where(afterCursor('alert_configs', query.cursor));
  const rows = await q.orderBy('alert_configs.created_at', 'desc').orderBy('alert_configs.id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentEvaluation);
}

export async function findEvaluation(db: Kysely<Database>, organizationId: string, alertConfigId: string) {
  return db
    .selectFrom('evaluations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('alert_config_id', '=', alertConfigId)
    .executeTakeFirst();
}
