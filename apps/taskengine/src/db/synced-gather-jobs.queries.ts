import type { Database, HelmSyncJobRow } from '@planekeeper/db';
import { NAME_MAX_LENGTH } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';

/** Charts per statement. */
const CHUNK = 1000;

/**
 * Creates or updates one gather job per chart for a helm sync job, set-based: source
 * `{ repoUrl, chart }` of the sync's repository, the sync's gather schedule and credential. A new
 * job is due at once. An existing one keeps its name and enabled flag (users may change those);
 * a new source runs it at once and forgets its ETag and the digest of its last release list (the
 * next list is upserted whole), a new schedule counts from `now` (`nextRunForNewSchedule`).
 * Unchanged jobs are not written. Charts no longer in the repository keep their jobs (alert
 * configs may use them).
 */
export async function upsertSyncedGatherJobs(
  db: Kysely<Database>,
  sync: Pick<HelmSyncJobRow, 'id' | 'organization_id' | 'repo_url' | 'gather_schedule' | 'credential_name'>,
  charts: readonly string[],
  nextRunForNewSchedule: Date,
): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  for (let start = 0; start < charts.length; start += CHUNK) {
    const chunk = JSON.stringify(charts.slice(start, start + CHUNK));
    const { rows } = await sql<{ inserted: boolean }>`
      INSERT INTO gather_jobs AS g (organization_id, name, source_type, source, schedule, credential_name, enabled, next_run_at, helm_sync_job_id, helm_chart)
      SELECT ${sync.organization_id}::uuid, left(x.chart, ${NAME_MAX_LENGTH}), 'helm_repo',
             jsonb_build_object('repoUrl', ${sync.repo_url}::text, 'chart', x.chart),
             ${sync.gather_schedule}, ${sync.credential_name}::text, true, now(), ${sync.id}::uuid, x.chart
        FROM jsonb_array_elements_text(${chunk}::jsonb) AS x(chart)
      ON CONFLICT (helm_sync_job_id, helm_chart) WHERE helm_sync_job_id IS NOT NULL DO UPDATE
         SET source = excluded.source,
             schedule = excluded.schedule,
             credential_name = excluded.credential_name,
             etag = CASE WHEN g.source IS DISTINCT FROM excluded.source THEN NULL ELSE g.etag END,
             releases_digest = CASE WHEN g.source IS DISTINCT FROM excluded.source THEN NULL ELSE g.releases_digest END,
             next_run_at = CASE
               WHEN NOT g.enabled THEN g.next_run_at
               WHEN g.source IS DISTINCT FROM excluded.source THEN now()
               WHEN g.schedule IS DISTINCT FROM excluded.schedule THEN ${nextRunForNewSchedule.toISOString()}::timestamptz
               ELSE g.next_run_at END,
             updated_at = now()
       WHERE (g.source, g.schedule, g.credential_name) IS DISTINCT FROM (excluded.source, excluded.schedule, excluded.credential_name)
      RETURNING (xmax = 0) AS inserted`.execute(db);
    for (const row of rows) {
      if (row.inserted) created++;
      else updated++;
    }
  }
  return { created, updated };
}
