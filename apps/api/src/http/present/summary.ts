import type { SummaryResponse } from '@planekeeper/domain';
import type { countOpenAlerts, operationalCounts, unknownEvaluations } from '../../db/summary.queries.ts';

/** The dashboard's figures from the summary queries' rows. */
export function presentSummary(
  alerts: Awaited<ReturnType<typeof countOpenAlerts>>,
  unknown: Awaited<ReturnType<typeof unknownEvaluations>>,
  counts: Awaited<ReturnType<typeof operationalCounts>>,
): SummaryResponse {
  const openAlerts = { moderate: 0, high: 0, critical: 0, total: 0 };
  let unacknowledged = 0;
  for (const row of alerts) {
    openAlerts[row.severity] = Number(row.n);
    openAlerts.total += Number(row.n);
    unacknowledged += Number(row.unacknowledged);
  }
  return {
    openAlerts,
    unacknowledged,
    unknownEvaluations: unknown.total,
    unknownEvaluationSamples: unknown.samples.map((s) => ({ alertConfigId: s.alert_config_id, alertConfigName: s.name, reason: s.reason, evaluatedAt: s.evaluated_at.toISOString() })),
    tasksFailed24h: counts.failed,
    deadDeliveries: counts.dead,
    agents: { online: counts.online, offline: counts.offline, draining: counts.draining },
    pendingTasksNoAgent: counts.stranded,
  };
}
