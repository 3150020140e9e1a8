import type { Database } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';

/** Open alerts by severity, and how many of them nobody acknowledged. */
export async function countOpenAlerts(db: Kysely<Database>, organizationId: OrganizationId) {
  return db
    .selectFrom('alerts')
    .select(['severity', sql<string>`count(*)`.as('n'), sql<string>`count(*) FILTER (WHERE acknowledged_at IS NULL)`.as('unacknowledged')])
    .where('organization_id', '=', organizationId)
    .where('status', '=', 'open')
    .groupBy('severity')
    .execute();
}

/** How many evaluations are unknown, and the latest ten with their config's name and reason. */
export async function unknownEvaluations(db: Kysely<Database>, organizationId: OrganizationId) {
  const [total, samples] = await Promise.all([
    db.selectFrom('evaluations').select(sql<string>`count(*)`.as('n')).where('organization_id', '=', organizationId).where('status', '=', 'unknown').executeTakeFirstOrThrow(),
    db
      .selectFrom('evaluations as e')
      .innerJoin('alert_configs as c', 'c.id', 'e.alert_config_id')
      .select(['e.alert_config_id', 'c.name', 'e.reason', 'e.evaluated_at'])
      .where('e.organization_id', '=', organizationId)
      .where('e.status', '=', 'unknown')
      .orderBy('e.evaluated_at', 'desc')
      .limit(10)
      .execute(),
  ]);
  return { total: Number(total.n), samples };
}

/** Tasks failed since `since`, dead deliveries, agents by state, pending tasks nobody can take. */
export async function operationalCounts(db: Kysely<Database>, organizationId: OrganizationId, since: Date, offlineAfterSeconds: number) {
  const { rows } = await sql<{ failed: string; dead: string; online: string; offline: string; draining: string; stranded: string }>`
    SELECT
      (SELECT count(*) FROM tasks WHERE organization_id = ${organizationId} AND status = 'failed' AND completed_at >= ${since}) AS failed,
      (SELECT count(*) FROM deliveries WHERE organization_id = ${organizationId} AND status = 'dead') AS dead,
      (SELECT count(*) FROM agents WHERE organization_id = ${organizationId} AND NOT draining
         AND last_heartbeat_at > now() - make_interval(secs => ${offlineAfterSeconds})) AS online,
      (SELECT count(*) FROM agents WHERE organization_id = ${organizationId}
         AND last_heartbeat_at <= now() - make_interval(secs => ${offlineAfterSeconds})) AS offline,
      (SELECT count(*) FROM agents WHERE organization_id = ${organizationId} AND draining
         AND last_heartbeat_at > now() - make_interval(secs => ${offlineAfterSeconds})) AS draining,
      (SELECT count(*) FROM tasks t WHERE t.organization_id = ${organizationId} AND t.status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.organization_id = t.organization_id AND NOT a.draining
           AND a.last_heartbeat_at > now() - make_interval(secs => ${offlineAfterSeconds})
           AND t.kind = ANY (a.capabilities)
           AND (t.credential_name IS NULL OR t.credential_name = ANY (a.credentials)))) AS stranded
  `.execute(db);
  const row = rows[0]!;
  return { failed: Number(row.failed), dead: Number(row.dead), online: Number(row.online), offline: Number(row.offline), draining: Number(row.draining), stranded: Number(row.stranded) };
}
