import type { Database } from '@planekeeper/db';
import type { OrganizationId, RuleEvaluation, RuleType } from '@planekeeper/domain';
import { sql, type Transaction } from 'kysely';

/** The latest evaluation of one config, to store. */
export interface EvaluationToStore {
  alertConfigId: string;
  ruleType: RuleType;
  evaluation: RuleEvaluation;
}

/** An evaluation as its row stores it. */
function evaluationRow({ alertConfigId, ruleType, evaluation }: EvaluationToStore) {
  if (evaluation.status === 'unknown') {
    return {
      alert_config_id: alertConfigId,
      status: 'unknown',
      reason: evaluation.reason,
      deployed_version: evaluation.deployedVersion,
      latest_version: evaluation.latestVersion,
      behind_by: null,
      severity: null,
      details: { ruleType, notes: [] },
    };
  }
  return {
    alert_config_id: alertConfigId,
    status: 'ok',
    // The API's reason field also carries notes worth showing, such as a missing publish date.
    reason: evaluation.notes.length > 0 ? evaluation.notes.join('; ') : null,
    deployed_version: evaluation.deployedVersion,
    latest_version: evaluation.latestVersion,
    behind_by: evaluation.behindBy,
    severity: evaluation.severity,
    details: { ruleType, notes: evaluation.notes, ...(evaluation.dateSource ? { dateSource: evaluation.dateSource } : {}) },
  };
}

/** Stores the latest evaluation of every config of a batch in one statement. */
export async function upsertEvaluations(trx: Transaction<Database>, organizationId: OrganizationId, evaluations: readonly EvaluationToStore[], evaluatedAt: Date): Promise<void> {
  if (evaluations.length === 0) return;
  await sql`
    INSERT INTO evaluations (alert_config_id, organization_id, status, reason, deployed_version, latest_version,
                             behind_by, severity, details, evaluated_at)
    SELECT v.alert_config_id, ${organizationId}::uuid, v.status, v.reason, v.deployed_version, v.latest_version,
           v.behind_by, v.severity, v.details, ${evaluatedAt}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(evaluations.map(evaluationRow))}::jsonb) AS v(alert_config_id uuid, status text, reason text,
           deployed_version text, latest_version text, behind_by integer, severity text, details jsonb)
    ON CONFLICT (alert_config_id) DO UPDATE
       SET status = excluded.status, reason = excluded.reason, deployed_version = excluded.deployed_version,
           latest_version = excluded.latest_version, behind_by = excluded.behind_by, severity = excluded.severity,
           details = excluded.details, evaluated_at = excluded.evaluated_at`.execute(trx);
}
