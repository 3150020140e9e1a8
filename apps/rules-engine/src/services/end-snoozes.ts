import { sendJob, type Database } from '@planekeeper/db';
import { evaluateQueue } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';

/**
 * A snooze until a time ends when its time comes, whether or not anything upstream changes: the
 * configs of open alerts whose snooze is due are evaluated, and the lifecycle ends the snooze
 * there (`unsnoozed`, and an escalation silenced during it that still holds), under the config lock.
 */
export async function endDueSnoozes(deps: { db: Kysely<Database>; boss: PgBoss; logger: Logger; clock: () => Date }): Promise<number> {
  const due = await deps.db
    .selectFrom('alerts')
    .select(['organization_id', 'alert_config_id'])
    .where('status', '=', 'open')
    .where('snoozed_until', '<=', deps.clock())
    .where('alert_config_id', 'is not', null)
    .limit(10_000)
    .execute();
  for (const row of due) {
    await sendJob(deps.boss, null, evaluateQueue, { organizationId: row.organization_id, reason: 'snooze_ended', target: { alertConfigId: row.alert_config_id! } });
  }
  if (due.length > 0) deps.logger.info({ alerts: due.length }, 'snoozes due to end');
  return due.length;
}
