import type { Database, RuleType, SkipVersionEntry } from '@planekeeper/db';
import type { EvaluateTarget, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';

/** The ids of the organization's alert configs the targets name (each once), in id order (the lock order). */
export async function findAlertConfigIds(db: Kysely<Database>, organizationId: OrganizationId, targets: readonly EvaluateTarget[]): Promise<string[]> {
  if (targets.length === 0) return [];
  const rows = await db
    .selectFrom('alert_configs')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where((eb) =>
      eb.or(
        targets.map((target) => {
          if ('alertConfigId' in target) return eb('id', '=', target.alertConfigId);
          // An endoflife job's new cycles move the eol answers of the configs that link it, too.
          if ('gatherJobId' in target) return eb.or([eb('gather_job_id', '=', target.gatherJobId), eb('eol_gather_job_id', '=', target.gatherJobId)]);
          if ('scrapeJobId' in target) return eb('scrape_job_id', '=', target.scrapeJobId);
          return eb('rule_id', '=', target.ruleId);
        }),
      ),
    )
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** An alert config with what evaluating it needs: its rule and its gather job's tag filter. */
export interface LockedAlertConfig {
  id: string;
  name: string;
  enabled: boolean;
  gather_job_id: string;
  scrape_job_id: string;
  rule_id: string;
  rule_type: RuleType;
  moderate: number;
  high: number;
  critical: number;
  stable_only: boolean;
  tag_filter: string | null;
  /** The config's skip entries, then its gather job's. */
  skip_versions: SkipVersionEntry[];
  job_skip_versions: SkipVersionEntry[];
  /** Where the config's release cycles come from: its linked endoflife job, or its own gather job when that is one. */
  cycles_job_id: string | null;
}

/**
 * Loads and locks (FOR UPDATE, in id order so concurrent batches never deadlock) the configs of a
 * batch: every evaluation of a config, and every change of its alert, waits for the lock, which
 * is what keeps one open alert per config and no event recorded twice. Configs deleted meanwhile
 * are simply absent.
 */
export async function lockAlertConfigs(trx: Transaction<Database>, organizationId: OrganizationId, ids: readonly string[]): Promise<LockedAlertConfig[]> {
  if (ids.length === 0) return [];
  // The batch's id range besides its ids: with `id = ANY` alone, the planner reads the whole
  // table (cheaper, by its costs, than a thousand index probes) for every batch.
  let lowest = ids[0]!;
  let highest = ids[0]!;
  for (const id of ids) {
    if (id < lowest) lowest = id;
    if (id > highest) highest = id;
  }
  const { rows } = await sql<LockedAlertConfig>`
    SELECT ac.id, ac.name, ac.enabled, ac.gather_job_id, ac.scrape_job_id, ac.rule_id,
           r.type AS rule_type, r.moderate, r.high, r.critical, r.stable_only, g.tag_filter,
           ac.skip_versions, g.skip_versions AS job_skip_versions,
           coalesce(ac.eol_gather_job_id, CASE WHEN g.source_type = 'endoflife' THEN g.id END) AS cycles_job_id
      FROM alert_configs ac
      JOIN rules r ON r.id = ac.rule_id AND r.organization_id = ac.organization_id
      JOIN gather_jobs g ON g.id = ac.gather_job_id AND g.organization_id = ac.organization_id
     WHERE ac.organization_id = ${organizationId}::uuid AND ac.id = ANY(${ids}::uuid[])
       AND ac.id BETWEEN ${lowest}::uuid AND ${highest}::uuid
     ORDER BY ac.id
       FOR UPDATE OF ac`.execute(trx);
  return rows;
}
