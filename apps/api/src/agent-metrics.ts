import type { Database } from '@planekeeper/db';
import { agentLiveness, duplicatesRecent } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import { listAgentsForMetrics, type AgentMetricsRow } from './db/fleet-metrics.queries.ts';

const LABELS = ['organization_id', 'agent'] as const;

/** Per-agent figures from the agent's latest heartbeat; absent figures leave the series out. */
const SAMPLES: ReadonlyArray<{ name: string; help: string; value: (row: AgentMetricsRow) => number | null }> = [
  { name: 'planekeeper_agent_cpu_percent', help: "CPU of the agent process, % of one core, from its latest heartbeat", value: (r) => num(r.health?.cpuPercent) },
  { name: 'planekeeper_agent_memory_rss_bytes', help: 'Resident memory of the agent process, from its latest heartbeat', value: (r) => num(r.health?.rssBytes) },
  { name: 'planekeeper_agent_load1', help: "1-minute load average of the agent's host", value: (r) => num(Array.isArray(r.health?.loadAverage) ? r.health.loadAverage[0] : undefined) },
  { name: 'planekeeper_agent_cache_free_bytes', help: "Free bytes of the file system of the agent's cache directory", value: (r) => num(r.health?.cacheFreeBytes) },
  { name: 'planekeeper_agent_tasks_running', help: 'Tasks the agent runs now, from its latest heartbeat', value: (r) => num(r.health?.runningTasks) },
  { name: 'planekeeper_agent_tasks_max', help: 'Tasks the agent may run at once (AGENT_MAX_CONCURRENT_TASKS)', value: (r) => r.max_concurrent_tasks },
  { name: 'planekeeper_agent_clock_skew_seconds', help: "The agent's clock minus the server's at its latest heartbeat, corrected for half the round trip", value: (r) => (r.clock_skew_ms === null ? null : Number(r.clock_skew_ms) / 1000) },
];

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * Gauges labelled by agent (organization id and name), installation-wide, for at most
 * AGENT_METRICS_LIMIT agents: status, seconds since the last heartbeat, duplicate instances, draining, and
 * the latest health sample. The agents are read once per scrape for all of them, and the series
 * are rebuilt each time so a forgotten agent's disappear.
 */
export function registerAgentGauges(registry: Registry, deps: { db: Kysely<Database>; offlineAfterSeconds: number; staleAfterSeconds: number }): void {
  let snapshot: { at: number; rows: Promise<AgentMetricsRow[]> } | undefined;
  const agents = () => {
    // One read serves every gauge of a scrape (they are collected one after another).
    if (!snapshot || Date.now() - snapshot.at > 1000) snapshot = { at: Date.now(), rows: listAgentsForMetrics(deps.db).catch(() => []) };
    return snapshot.rows;
  };
  const labels = (row: AgentMetricsRow) => ({ organization_id: row.organization_id, agent: row.name });
  const gauge = (name: string, help: string, fill: (this: Gauge<string>, rows: AgentMetricsRow[], now: Date) => void, extraLabels: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames: [...LABELS, ...extraLabels],
      registers: [registry],
      async collect() {
        const rows = await agents();
        this.reset();
        fill.call(this, rows, new Date());
      },
    });

  // One series per agent, labelled with its current status: a third of the series of one per
  // status, and `planekeeper_agent_status{status="offline"} == 1` reads the same.
  gauge('planekeeper_agent_status', 'Always 1, labelled with the agent\'s current status (online | stale | offline)', function (rows, now) {
    for (const row of rows) this.set({ ...labels(row), status: agentLiveness(row.last_heartbeat_at, now, deps) }, 1);
  }, ['status']);
  gauge('planekeeper_agent_heartbeat_age_seconds', "Seconds since the agent's last heartbeat", function (rows, now) {
    for (const row of rows) this.set(labels(row), Math.max(0, (now.getTime() - row.last_heartbeat_at.getTime()) / 1000));
  });
  gauge('planekeeper_agent_draining', '1 while the agent is drained (it gets no new tasks)', function (rows) {
    for (const row of rows) this.set(labels(row), row.draining ? 1 : 0);
  });
  gauge('planekeeper_agent_duplicate_instances', '1 while two or more live processes share the agent (their instance ids alternate)', function (rows, now) {
    for (const row of rows) this.set(labels(row), duplicatesRecent(row.duplicate_seen_at, now, deps.offlineAfterSeconds) ? 1 : 0);
  });
  for (const sample of SAMPLES) {
    gauge(sample.name, sample.help, function (rows) {
      for (const row of rows) {
        const value = sample.value(row);
        if (value !== null) this.set(labels(row), value);
      }
    });
  }
}
