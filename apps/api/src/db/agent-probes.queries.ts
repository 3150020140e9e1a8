import type { AgentProbeStatus, Database } from '@planekeeper/db';
import type { OrganizationId, ProbeReport, ProbeTarget } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';

/** Most probes handed to an agent in one answer. */
const PROBES_PER_POLL = 10;

/** Asks an agent of the organization to probe `target`; undefined when the organization has no such agent. */
export async function insertProbe(db: Kysely<Database>, organizationId: OrganizationId, agentId: string, target: ProbeTarget) {
  return db
    .insertInto('agent_probes')
    .columns(['organization_id', 'agent_id', 'target'])
    .expression((eb) =>
      eb
        .selectFrom('agents')
        .select([eb.val(organizationId).as('organization_id'), 'id', eb.val(JSON.stringify(target)).as('target')])
        .where('organization_id', '=', organizationId)
        .where('id', '=', agentId),
    )
    .returningAll()
    .executeTakeFirst();
}

/** A probe of an agent of the organization. */
export async function findProbe(db: Kysely<Database>, organizationId: OrganizationId, agentId: string, probeId: string) {
  return db
    .selectFrom('agent_probes')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('agent_id', '=', agentId)
    .where('id', '=', probeId)
    .executeTakeFirst();
}

/** Hands the agent its waiting probes (oldest first), marking them sent. */
export async function takePendingProbes(db: Kysely<Database>, organizationId: OrganizationId, agentId: string) {
  return db
    .updateTable('agent_probes')
    .set({ status: 'sent', sent_at: sql<Date>`now()` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('agent_probes')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('agent_id', '=', agentId)
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .limit(PROBES_PER_POLL)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'target'])
    .execute();
}

/** Records what the agent reported; undefined when the probe is not this agent's or was reported already. */
export async function completeProbe(db: Kysely<Database>, organizationId: OrganizationId, agentId: string, probeId: string, report: ProbeReport) {
  return db
    .updateTable('agent_probes')
    .set({ status: report.outcome satisfies AgentProbeStatus, result: JSON.stringify(report), completed_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('agent_id', '=', agentId)
    .where('id', '=', probeId)
    .where('status', 'in', ['pending', 'sent'])
    .returning('id')
    .executeTakeFirst();
}

/** Stores the configuration an agent reported; false when the organization has no such agent. */
export async function upsertDiagnostics(db: Kysely<Database>, organizationId: OrganizationId, agentId: string, effectiveConfig: Record<string, unknown>): Promise<boolean> {
  const row = await db
    .insertInto('agent_diagnostics')
    .columns(['agent_id', 'organization_id', 'effective_config'])
    .expression((eb) =>
      eb
        .selectFrom('agents')
        .select(['id', eb.val(organizationId).as('organization_id'), eb.val(JSON.stringify(effectiveConfig)).as('effective_config')])
        .where('organization_id', '=', organizationId)
        .where('id', '=', agentId),
    )
    .onConflict((oc) => oc.column('agent_id').doUpdateSet((eb) => ({ effective_config: eb.ref('excluded.effective_config'), reported_at: sql<Date>`now()` })))
    .returning('agent_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The configuration an agent of the organization last reported. */
export async function findDiagnostics(db: Kysely<Database>, organizationId: OrganizationId, agentId: string) {
  return db.selectFrom('agent_diagnostics').selectAll().where('organization_id', '=', organizationId).where('agent_id', '=', agentId).executeTakeFirst();
}
