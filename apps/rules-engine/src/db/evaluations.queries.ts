import type { Database, SeverityLevel } from '@planekeeper/db';
import { sql, type Transaction } from 'kysely';

/** One evaluation row to store: the latest result of a config. */
export interface EvaluationWrite {
  alert_config_id: string;
  status: 'ok' | 'unknown';
  reason: string | null;
  deployed_version: string | null;
  latest_version: string | null;
  behind_by: number | null;
  severity: SeverityLevel | null;
  details: Record<string, unknown>;
}

/** Stores the latest evaluation of every config of a batch in one statement. */
export async function upsertEvaluations(trx: Transaction<Database>, organizationId: string, rows: readonly EvaluationWrite[], evaluatedAt: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO evaluations (alert_config_id, organization_id, status, reason, deployed_version, latest_version,
                             behind_by, severity, details, evaluated_at)
    SELECT v.alert_config_id, ${organizationId}::uuid, v.status, v.reason, v.deployed_version, v.latest_version,
           v.behind_by, v.severity, v.details, ${evaluatedAt}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(alert_config_id uuid, status text, reason text,
           deployed_version text, latest_version text, behind_by integer, severity text, details jsonb)
    ON CONFLICT (alert_config_id) DO UPDATE
       SET status = excluded.status, reason = excluded.reason, deployed_version = excluded.deployed_version,
           latest_version = excluded.latest_version, behind_by = excluded.behind_by, severity = excluded.severity,
           details = excluded.details, evaluated_at = excluded.evaluated_at`.execute(trx);
}
