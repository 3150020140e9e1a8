import type { EvaluationRow } from '@planekeeper/db';
import { evaluationExplanationSchema, type EvaluationResponse } from '@planekeeper/domain';

export function presentEvaluation(row: EvaluationRow): EvaluationResponse {
  const details = row.details as { dateSource?: unknown; notes?: unknown; explanation?: unknown; libyear?: unknown; skipped?: unknown; eol?: unknown };
  const dateSource = details.dateSource === 'published' || details.dateSource === 'first_seen' ? details.dateSource : null;
  const notes = Array.isArray(details.notes) ? details.notes.filter((note): note is string => typeof note === 'string') : [];
  // Evaluations stored before explanations existed have none: null. So is anything else that
  // does not match the documented shape, rather than an answer that breaks its own schema.
  const explanation = evaluationExplanationSchema.safeParse(details.explanation);
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
    libyear: typeof details.libyear === 'number' ? details.libyear : null,
    skipped: Array.isArray(details.skipped) ? details.skipped.filter(isSkippedRelease) : [],
    eol: isEndOfLife(details.eol) ? details.eol : null,
    explanation: explanation.success ? explanation.data : null,
    evaluatedAt: row.evaluated_at.toISOString(),
  };
}

function isSkippedRelease(value: unknown): value is { tag: string; versions: string; reason: string } {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.tag === 'string' && typeof entry.versions === 'string' && typeof entry.reason === 'string';
}

function isEndOfLife(value: unknown): value is { cycle: string; eolDate: string | null; daysLeft: number | null } {
  if (typeof value !== 'object' || value === null) return false;
  const eol = value as Record<string, unknown>;
  return typeof eol.cycle === 'string' && (eol.eolDate === null || typeof eol.eolDate === 'string') && (eol.daysLeft === null || Number.isInteger(eol.daysLeft));
}
