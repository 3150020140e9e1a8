import { sendJob, type Database } from '@planekeeper/db';
import { evaluateQueue } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import { sql, type Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';

/**
 * Time alone moves an `eol` answer (a cycle's EOL date comes closer with nothing new upstream),
 * so every eol rule whose enabled configs were not yet evaluated today (UTC, by the rules-engine's
 * clock) is evaluated again: once a day, however often this runs, and on every replica without
 * coordination (a second enqueue of the same rule is coalesced or finds nothing to change).
 */
export async function reevaluateEndOfLife(deps: { db: Kysely<Database>; boss: PgBoss; logger: Logger; clock: () => Date }): Promise<number> {
  const now = deps.clock();
  const { rows } = await sql<{ organization_id: string; rule_id: string }>`
    SELECT DISTINCT ac.organization_id, ac.rule_id
      FROM alert_configs ac
      JOIN rules r ON r.id = ac.rule_id AND r.organization_id = ac.organization_id
      LEFT JOIN evaluations e ON e.alert_config_id = ac.id
     WHERE r.type = 'eol' AND ac.enabled
       AND (e.evaluated_at IS NULL OR e.evaluated_at < date_trunc('day', ${now}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
     LIMIT 10000`.execute(deps.db);
  for (const row of rows) {
    await sendJob(deps.boss, null, evaluateQueue, { organizationId: row.organization_id, reason: 'end_of_life_daily', target: { ruleId: row.rule_id } });
  }
  if (rows.length > 0) deps.logger.info({ rules: rows.length }, 'end-of-life rules re-evaluated for a new day');
  return rows.length;
}
