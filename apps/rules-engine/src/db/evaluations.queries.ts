import type { Database } from '@planekeeper/db';
import type { AnyRuleType, OrganizationId, RuleEvaluation } from '@planekeeper/domain';
import { sql, type Transaction } from 'kysely';

/** The latest evaluation of one config, to store. */
export interface EvaluationToStore {
  alertConfigId: string;
  ruleType: AnyRuleType;
  evaluation: RuleEvaluation;
}

/**
 * An evaluation as its row stores it, less `details`: what the columns hold.
 */
function evaluationColumns({ alertConfigId, evaluation }: EvaluationToStore) {
  if (evaluation.status === 'unknown') {
    return {
      alert_config_id: alertConfigId,
      status: 'unknown',
      reason: evaluation.reason,
      deployed_version: evaluation.deployedVersion,
      latest_version: evaluation.latestVersion,
      behind_by: null,
      severity: null,
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
  };
}

/**
 * An evaluation's `details`: what the columns do not hold: the rule type, the notes, the date
 * source and the explanation (EvaluationExplanation: family, variant, tags skipped, the date
 * counted from), which the API serves as the evaluation's `explanation`.
 */
function evaluationDetails({ ruleType, evaluation }: EvaluationToStore) {
  if (evaluation.status === 'unknown') return { ruleType, notes: [], skipped: evaluation.skipped, explanation: evaluation.explanation };
  return {
    ruleType,
    notes: evaluation.notes,
    libyear: evaluation.libyear,
    skipped: evaluation.skipped,
    eol: evaluation.eol,
    ...(evaluation.dateSource ? { dateSource: evaluation.dateSource } : {}),
    explanation: evaluation.explanation,
  };
}

/**
 * Stores the latest evaluation of every config of a batch in one statement. Configs of one gather
 * job mostly share a few answers, so each distinct `details` (most of a row's bytes, with its
 * explanation) is sent and parsed once per batch, and each row names it by position. The
 * evaluator hands configs with the same answer one and the same evaluation object, so each is
 * turned into JSON once.
 */
export async function upsertEvaluations(trx: Transaction<Database>, organizationId: OrganizationId, evaluations: readonly EvaluationToStore[], evaluatedAt: Date): Promise<void> {
  if (evaluations.length === 0) return;
  const details: string[] = [];
  const positions = new Map<string, number>();
  const positionOf = new Map<RuleEvaluation, { ruleType: AnyRuleType; at: number }>();
  const rows = evaluations.map((evaluation) => {
    let known = positionOf.get(evaluation.evaluation);
    if (known === undefined || known.ruleType !== evaluation.ruleType) {
      const text = JSON.stringify(evaluationDetails(evaluation));
      let at = positions.get(text);
      if (at === undefined) {
        at = details.push(text) - 1;
        positions.set(text, at);
      }
      known = { ruleType: evaluation.ruleType, at };
      positionOf.set(evaluation.evaluation, known);
    }
    return { ...evaluationColumns(evaluation), details_at: known.at };
  });
  await sql`
    INSERT INTO evaluations (alert_config_id, organization_id, status, reason, deployed_version, latest_version,
                             behind_by, severity, details, evaluated_at)
    SELECT v.alert_config_id, ${organizationId}::uuid, v.status, v.reason, v.deployed_version, v.latest_version,
           v.behind_by, v.severity, ${`[${details.join(',')}]`}::jsonb -> v.details_at, ${evaluatedAt}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(alert_config_id uuid, status text, reason text,
           deployed_version text, latest_version text, behind_by double precision, severity text, details_at integer)
    ON CONFLICT (alert_config_id) DO UPDATE
       SET status = excluded.status, reason = excluded.reason, deployed_version = excluded.deployed_version,
           latest_version = excluded.latest_version, behind_by = excluded.behind_by, severity = excluded.severity,
           details = excluded.details, evaluated_at = excluded.evaluated_at`.execute(trx);
}
