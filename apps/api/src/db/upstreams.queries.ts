import type { Database, RuleType, SeverityLevel, SourceType } from '@planekeeper/db';
import type { OrganizationId, UpstreamListQuery } from '@planekeeper/domain';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

type UpstreamStatus = NonNullable<UpstreamListQuery['status']>;

/**
 * Where a deployment stands, from its latest evaluation: unknown until it has an `ok` one; on the
 * latest when the deployed release is the latest one (canonical versions, as the explanation
 * gives them) or, without an explanation, nothing is behind.
 */
const STATE = sql<'on_latest' | 'behind' | 'unknown'>`CASE
  WHEN e.status IS DISTINCT FROM 'ok' THEN 'unknown'
  WHEN e.details #>> '{explanation,deployed,version}' IS NOT NULL
    THEN CASE WHEN e.details #>> '{explanation,deployed,version}' = e.details #>> '{explanation,latest,version}' THEN 'on_latest' ELSE 'behind' END
  WHEN r.type <> 'eol' AND e.behind_by = 0 THEN 'on_latest'
  ELSE 'behind' END`;
const PAST_EOL = sql<boolean>`coalesce((e.details #>> '{eol,daysLeft}')::int < 0, false)`;
const LIBYEAR = sql<number | null>`CASE WHEN jsonb_typeof(e.details -> 'libyear') = 'number' THEN (e.details ->> 'libyear')::float8 END`;

function statusCondition(status: UpstreamStatus): RawBuilder<boolean> {
  if (status === 'past_eol') return PAST_EOL;
  if (status === 'violating') return sql<boolean>`e.severity IS NOT NULL`;
  return sql<boolean>`${STATE} = ${status}`;
}

/** The counts of a set of deployments, summed by SQL. */
export interface UpstreamCountsRow {
  deployments: number;
  on_latest: number;
  behind: number;
  unknown: number;
  past_eol: number;
  violating: number;
  libyear: number;
}

const COUNTS = sql<UpstreamCountsRow>`
  count(ac.id)::int AS deployments,
  count(ac.id) FILTER (WHERE ${STATE} = 'on_latest')::int AS on_latest,
  count(ac.id) FILTER (WHERE ${STATE} = 'behind')::int AS behind,
  count(ac.id) FILTER (WHERE ${STATE} = 'unknown')::int AS unknown,
  count(ac.id) FILTER (WHERE ${PAST_EOL})::int AS past_eol,
  count(ac.id) FILTER (WHERE e.severity IS NOT NULL)::int AS violating,
  round(coalesce(sum(${LIBYEAR}), 0)::numeric, 2)::float8 AS libyear`;

/** An upstream row of a page: the gather job and its deployments' counts. */
export interface UpstreamRow extends UpstreamCountsRow {
  id: string;
  name: string;
  source_type: SourceType;
  latest_versions: (string | null)[];
  sort_key: string;
}

/**
 * A page of the organization's gather jobs that alert configs compare with, newest first, with
 * their deployments' counts; `q` matches the job's or a config's name, `status` keeps upstreams
 * with a deployment in that state.
 */
export async function upstreamPage(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<UpstreamListQuery, 'q' | 'status'>, page: PageRequest): Promise<UpstreamRow[]> {
  const pattern = filters.q === undefined ? null : `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await sql<UpstreamRow>`
    SELECT g.id, g.name, g.source_type, ${createdAtKey('g')} AS sort_key, ${COUNTS},
           coalesce(array_agg(DISTINCT e.latest_version) FILTER (WHERE e.status = 'ok'), '{}') AS latest_versions
      FROM gather_jobs g
      JOIN alert_configs ac ON ac.gather_job_id = g.id AND ac.organization_id = g.organization_id
      JOIN rules r ON r.id = ac.rule_id
      LEFT JOIN evaluations e ON e.alert_config_id = ac.id
     WHERE g.organization_id = ${organizationId}::uuid
       ${pattern === null ? sql`` : sql`AND (g.name ILIKE ${pattern} OR EXISTS (SELECT 1 FROM alert_configs m WHERE m.gather_job_id = g.id AND m.name ILIKE ${pattern}))`}
       ${page.after ? sql`AND ${afterCreatedAt('g', page.after)}` : sql``}
     GROUP BY g.id
    ${filters.status ? sql`HAVING count(*) FILTER (WHERE ${statusCondition(filters.status)}) > 0` : sql``}
     ORDER BY g.created_at DESC, g.id DESC
     LIMIT ${page.limit + 1}`.execute(db);
  return rows;
}

/** The organization's counts over every upstream. */
export async function upstreamTotals(db: Kysely<Database>, organizationId: OrganizationId): Promise<UpstreamCountsRow> {
  const { rows } = await sql<UpstreamCountsRow>`
    SELECT ${COUNTS}
      FROM alert_configs ac
      JOIN rules r ON r.id = ac.rule_id
      LEFT JOIN evaluations e ON e.alert_config_id = ac.id
     WHERE ac.organization_id = ${organizationId}::uuid`.execute(db);
  return rows[0]!;
}

/** One upstream (gather job) with its counts, or undefined when it is not the organization's. */
export async function findUpstream(db: Kysely<Database>, organizationId: OrganizationId, gatherJobId: string): Promise<Omit<UpstreamRow, 'sort_key'> | undefined> {
  const { rows } = await sql<Omit<UpstreamRow, 'sort_key'>>`
    SELECT g.id, g.name, g.source_type, ${COUNTS},
           coalesce(array_agg(DISTINCT e.latest_version) FILTER (WHERE e.status = 'ok'), '{}') AS latest_versions
      FROM gather_jobs g
      LEFT JOIN alert_configs ac ON ac.gather_job_id = g.id AND ac.organization_id = g.organization_id
      LEFT JOIN rules r ON r.id = ac.rule_id
      LEFT JOIN evaluations e ON e.alert_config_id = ac.id
     WHERE g.organization_id = ${organizationId}::uuid AND g.id = ${gatherJobId}::uuid
     GROUP BY g.id`.execute(db);
  return rows[0];
}

/** A deployment of an upstream: an alert config with its latest evaluation. */
export interface DeploymentRow {
  id: string;
  name: string;
  enabled: boolean;
  rule_type: RuleType;
  state: 'on_latest' | 'behind' | 'unknown';
  status: 'ok' | 'unknown' | null;
  reason: string | null;
  deployed_version: string | null;
  latest_version: string | null;
  behind_by: number | null;
  severity: SeverityLevel | null;
  libyear: number | null;
  eol: { cycle: string; eolDate: string | null; daysLeft: number | null } | null;
  evaluated_at: Date | null;
}

/** The deployments of one upstream, by name (at most 5000), optionally in one state. */
export async function upstreamDeployments(db: Kysely<Database>, organizationId: OrganizationId, gatherJobId: string, status: UpstreamStatus | undefined): Promise<DeploymentRow[]> {
  const { rows } = await sql<DeploymentRow>`
    SELECT ac.id, ac.name, ac.enabled, r.type AS rule_type, ${STATE} AS state, e.status, e.reason, e.deployed_version,
           e.latest_version, e.behind_by, e.severity, ${LIBYEAR} AS libyear,
           CASE WHEN jsonb_typeof(e.details -> 'eol') = 'object' THEN e.details -> 'eol' END AS eol, e.evaluated_at
      FROM alert_configs ac
      JOIN rules r ON r.id = ac.rule_id
      LEFT JOIN evaluations e ON e.alert_config_id = ac.id
     WHERE ac.organization_id = ${organizationId}::uuid AND ac.gather_job_id = ${gatherJobId}::uuid
       ${status ? sql`AND ${statusCondition(status)}` : sql``}
     ORDER BY ac.name, ac.id
     LIMIT 5000`.execute(db);
  return rows;
}
