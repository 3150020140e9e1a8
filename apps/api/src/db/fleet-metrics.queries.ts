import type { Database } from '@planekeeper/db';
import { sql, type Kysely } from 'kysely';

/** Most agents the per-agent gauges describe: a bound on the series one scrape can make. */
export const AGENT_METRICS_LIMIT = 2000;

/** What the per-agent gauges show of one agent, every organization. */
export interface AgentMetricsRow {
  organization_id: string;
  name: string;
  last_heartbeat_at: Date;
  draining: boolean;
  max_concurrent_tasks: number;
  clock_skew_ms: string | null;
  health: Record<string, unknown> | null;
  duplicate_seen_at: Date | null;
}

/** The agents for the per-agent gauges, the most recently seen first, at most AGENT_METRICS_LIMIT. */
export async function listAgentsForMetrics(db: Kysely<Database>): Promise<AgentMetricsRow[]> {
  return db
    .selectFrom('agents')
    .select(['organization_id', 'name', 'last_heartbeat_at', 'draining', 'max_concurrent_tasks', 'clock_skew_ms', 'health', 'duplicate_seen_at'])
    .orderBy('last_heartbeat_at', 'desc')
    .limit(AGENT_METRICS_LIMIT)
    .execute();
}

/**
 * For each of `queues`, how long its oldest job ready to run (created or waiting for a retry, its
 * start time passed) has waited, in seconds; queues with none are left out. pg-boss keeps its
 * jobs in the `pgboss` schema (the default every service uses).
 */
export async function oldestReadyJobAges(db: Kysely<Database>, queues: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ name: string; age: number }>`
    SELECT name, extract(epoch FROM now() - min(start_after))::float8 AS age
      FROM pgboss.job
     WHERE name = ANY(${[...queues]}::text[]) AND state IN ('created', 'retry') AND start_after <= now()
     GROUP BY name`.execute(db);
  return new Map(rows.map((row) => [row.name, Math.max(0, row.age)]));
}
