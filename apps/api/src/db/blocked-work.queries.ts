import type { Database } from '@planekeeper/db';
import type { BlockedReasonCode, OrganizationId, TaskKind } from '@planekeeper/domain';
import { sql, type Kysely, type RawBuilder } from 'kysely';

/** A pending task no agent can take now, and why. */
export interface BlockedTaskRow {
  id: string;
  job_id: string;
  kind: TaskKind;
  credential_name: string | null;
  reason: BlockedReasonCode;
}

// Who could run a pending task: agents of its organization that beat within the offline threshold
// (a stale one, which missed a beat, still counts: it may be a slow network, and calling its work
// blocked would flap) and are not draining. What they offer is folded per organization first
// (the kinds run, and the credentials held per kind), so each task is checked with three hash
// lookups however many agents there are. The reasons are checked broadest first, as the claim
// query filters (DESIGN.md section 3, step 2): nobody at all, nobody with the kind, nobody with
// the kind and the credential.
const offered = (offlineAfterSeconds: number, organizationId: OrganizationId | null) => sql`
  live_agents AS (
    SELECT organization_id, capabilities, credentials FROM agents
     WHERE NOT draining AND last_heartbeat_at > now() - make_interval(secs => ${offlineAfterSeconds})
       ${organizationId === null ? sql`` : sql`AND organization_id = ${organizationId}`}
  ), live_orgs AS (
    SELECT DISTINCT organization_id FROM live_agents
  ), live_kinds AS (
    SELECT DISTINCT a.organization_id, k.kind FROM live_agents AS a, unnest(a.capabilities) AS k(kind)
  ), live_credentials AS (
    SELECT DISTINCT a.organization_id, k.kind, c.name
      FROM live_agents AS a, unnest(a.capabilities) AS k(kind), unnest(a.credentials) AS c(name)
  )`;

const reasonOf: RawBuilder<BlockedReasonCode | null> = sql`
  CASE
    WHEN o.organization_id IS NULL THEN 'no_agent'
    WHEN k.kind IS NULL THEN 'capability'
    WHEN t.credential_name IS NOT NULL AND c.name IS NULL THEN 'credential'
  END`;

const joinOffered = sql`
  LEFT JOIN live_orgs AS o ON o.organization_id = t.organization_id
  LEFT JOIN live_kinds AS k ON k.organization_id = t.organization_id AND k.kind = t.kind
  LEFT JOIN live_credentials AS c ON c.organization_id = t.organization_id AND c.kind = t.kind AND c.name = t.credential_name`;

/** The blocked ones among the organization's pending tasks with these ids or of these jobs. */
export async function findBlockedTasks(
  db: Kysely<Database>,
  organizationId: OrganizationId,
  of: { taskIds?: readonly string[]; jobIds?: readonly string[] },
  offlineAfterSeconds: number,
): Promise<BlockedTaskRow[]> {
  const taskIds = [...(of.taskIds ?? [])];
  const jobIds = [...(of.jobIds ?? [])];
  if (taskIds.length === 0 && jobIds.length === 0) return [];
  const { rows } = await sql<BlockedTaskRow>`
    WITH ${offered(offlineAfterSeconds, organizationId)}
    SELECT * FROM (
      SELECT t.id, t.job_id, t.kind, t.credential_name, ${reasonOf} AS reason
        FROM tasks AS t ${joinOffered}
       WHERE t.organization_id = ${organizationId} AND t.status = 'pending'
         AND (t.id = ANY(${taskIds}::uuid[]) OR t.job_id = ANY(${jobIds}::uuid[]))
    ) AS checked WHERE reason IS NOT NULL`.execute(db);
  return rows;
}

/** Pending tasks nobody can take, by reason, every organization (the planekeeper_tasks_blocked gauge). */
export async function countBlockedTasksAcrossOrganizations(db: Kysely<Database>, offlineAfterSeconds: number): Promise<Map<BlockedReasonCode, number>> {
  const { rows } = await sql<{ reason: BlockedReasonCode; n: string }>`
    WITH ${offered(offlineAfterSeconds, null)}
    SELECT reason, count(*) AS n FROM (
      SELECT ${reasonOf} AS reason FROM tasks AS t ${joinOffered} WHERE t.status = 'pending'
    ) AS checked WHERE reason IS NOT NULL GROUP BY reason`.execute(db);
  return new Map(rows.map((row) => [row.reason, Number(row.n)]));
}
