import type { Database } from '@planekeeper/db';
import { ALL_QUEUES } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { Gauge, type Registry } from 'prom-client';
import type { TaskWaiters } from './agent/task-waiters.ts';
import { countAgentsOnlineAcrossOrganizations } from './db/agents.queries.ts';

/**
 * Installation-wide gauges, read when Prometheus scrapes: jobs waiting in each queue (so a stuck
 * consumer shows), agents online, and long polls waiting. Any api replica answers the same.
 */
export function registerInstallationGauges(registry: Registry, deps: { db: Kysely<Database>; boss: PgBoss; taskWaiters: TaskWaiters; offlineAfterSeconds: number }): void {
  new Gauge({
    name: 'planekeeper_queue_depth',
    help: 'Jobs waiting in each pg-boss queue (queued, including retries that are due), by state',
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
    name: 'planekeeper_agents_online',
    help: 'Agents with a heartbeat within AGENT_OFFLINE_AFTER_SECONDS, all organizations',
    registers: [registry],
    async collect() {
      const online = await countAgentsOnlineAcrossOrganizations(deps.db, deps.offlineAfterSeconds).catch(() => undefined);
      if (online !== undefined) this.set(online);
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
}
