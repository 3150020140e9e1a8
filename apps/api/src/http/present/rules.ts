import type { RuleRow } from '@planekeeper/db';
import type { RuleResponse } from '@planekeeper/domain';

export function presentRule(row: RuleRow): RuleResponse {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    moderate: row.moderate,
    high: row.high,
    critical: row.critical,
    stableOnly: row.stable_only,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
