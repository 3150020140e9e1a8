import type { AlertConfigRow } from '@planekeeper/db';
import type { AlertConfigResponse } from '@planekeeper/domain';

export function presentAlertConfig(row: AlertConfigRow): AlertConfigResponse {
  return {
    id: row.id,
    name: row.name,
    gatherJobId: row.gather_job_id,
    scrapeJobId: row.scrape_job_id,
    ruleId: row.rule_id,
    enabled: row.enabled,
    skipVersions: row.skip_versions,
    eolGatherJobId: row.eol_gather_job_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
