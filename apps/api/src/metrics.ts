import type { Database } from '@planekeeper/db';
import { ALL_QUEUES, BLOCKED_REASON_CODES } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TaskWaiters } from './agent/task-waiters.ts';
import { countAgentsOnlineAcrossOrganizations } from './db/agents.queries.ts';
import { countBlockedTasksAcrossOrganizations } from './db/blocked-work.queries.ts';
import { oldestReadyJobAges } from './db/fleet-metrics.queries.ts';
import { registerAgentGauges } from './agent-metrics.ts';

/** Metrics the api's services write to. */
export interface ApiMetrics {
  /** Task reports taken, by kind and outcome (succeeded | failed): the task failure rate. */
  taskReports: Counter<'kind' | 'outcome'>;
  /** From claim to report, by kind. */
  taskDuration: Histogram<'kind'>;
}

interface GaugeDeps {
  db: Kysely<Database>;
  boss: PgBoss;
  taskWaiters: TaskWaiters;
  offlineAfterSeconds: number;
  staleAfterSeconds: number;
}

/**
 * Gauges read when Prometheus scrapes: jobs in each queue and how long the oldest has waited (so a
 * stuck consumer shows), agents online and each agent's health, pending tasks nobody can take,
 * installation-wide (any api replica answers the same), and the long polls waiting in this api
 * process. Also the counters of task reports.
 */
export function registerInstallationGauges(registry: Registry, deps: GaugeDeps): ApiMetrics {
  new Gauge({
    name: 'planekeeper_queue_depth',
    help: 'Jobs in each pg-boss queue by state: queued (waiting, deferred ones included), deferred (waiting for their start time, such as scheduled retries), active',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const queues = await deps.boss.getQueues(ALL_QUEUES.map((q) => q.name)).catch(() => []);
      for (const queue of queues) {
        this.set({ queue: queue.name, state: 'queued' }, queue.queuedCount);
        this.set({ queue: queue.name, state: 'deferred' }, queue.deferredCount);
        this.set({ queue: queue.name, state: 'active' }, queue.activeCount);
      }
    },
  });
  new Gauge({
    name: 'planekeeper_queue_oldest_job_age_seconds',
    help: 'How long the oldest job ready to run (its start time passed) has waited in each pg-boss queue; 0 when none waits',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const ages = await oldestReadyJobAges(deps.db, ALL_QUEUES.map((q) => q.name)).catch(() => undefined);
      if (ages === undefined) return;
      for (const queue of ALL_QUEUES) this.set({ queue: queue.name }, ages.get(queue.name) ?? 0);
    },
  });
  new Gauge({
    name: 'planekeeper_agents_online',
    help: 'Agents with a heartbeat within AGENT_OFFLINE_AFTER_SECONDS, all organizations',
    registers: [registry],
    async collect() {
      const online = await countAgentsOnlineAcrossOrganizations(deps.db, deps.offlineAfterSeconds).catch(() => undefined);
      if (online !== undefined) this.set(online);
    },
  });
  new Gauge({
    name: 'planekeeper_tasks_blocked',
    help: 'Pending tasks no online, non-draining agent can take, by reason: no_agent (none at all), capability (none runs the kind), credential (none holds the credential)',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const counts = await countBlockedTasksAcrossOrganizations(deps.db, deps.offlineAfterSeconds).catch(() => undefined);
      if (counts === undefined) return;
      for (const reason of BLOCKED_REASON_CODES) this.set({ reason }, counts.get(reason) ?? 0);
    },
  });
  new Gauge({
    name: 'planekeeper_agent_claims_waiting',
    help: 'Long-polling claims waiting for work in this api process',
    registers: [registry],
    collect() {
      this.set(deps.taskWaiters.size);
    },
  });
  registerAgentGauges(registry, deps);
  return {
    taskReports: new Counter({
      name: 'planekeeper_task_reports_total',
      help: 'Task results and failures agents reported (under a valid lease), by kind and outcome (succeeded | failed)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    taskDuration: new Histogram({
      name: 'planekeeper_task_duration_seconds',
      help: 'Time from claim to report of a task, by kind',
      labelNames: ['kind'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
  };
}
