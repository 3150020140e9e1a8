import type { Database } from '@planekeeper/db';
import { TASK_KIND_VALUES, TASK_STATUS_VALUES } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The taskengine's own metrics. */
export interface TaskengineMetrics {
  tasksScheduled: Counter<'kind'>;
  recoveries: Counter<'reason' | 'outcome'>;
  ingestions: Counter<'kind' | 'outcome'>;
  ingestionSeconds: Histogram<'kind'>;
  tickSeconds: Histogram<'loop'>;
}

/**
 * Registers the metrics. The task gauge counts rows when Prometheus scrapes, so it is true for
 * the whole installation whichever replica answers.
 */
export function createTaskengineMetrics(registry: Registry, db: Kysely<Database>): TaskengineMetrics {
  new Gauge({
    name: 'planekeeper_tasks',
    help: 'Tasks by status (every organization)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await db.selectFrom('tasks').select(['status', db.fn.countAll<string>().as('n')]).groupBy('status').execute();
      for (const status of TASK_STATUS_VALUES) this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
    },
  });
  new Gauge({
    name: 'planekeeper_tasks_oldest_pending_age_seconds',
    help: 'How long the oldest pending task that is due (scheduled_at passed) has waited for an agent, by kind; 0 when none waits',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = await db
        .selectFrom('tasks')
        .select(['kind', sql<number>`extract(epoch FROM now() - min(scheduled_at))::float8`.as('age')])
        .where('status', '=', 'pending')
        .where('scheduled_at', '<=', sql<Date>`now()`)
        .groupBy('kind')
        .execute();
      for (const kind of TASK_KIND_VALUES) this.set({ kind }, Math.max(0, rows.find((r) => r.kind === kind)?.age ?? 0));
    },
  });
  return {
    tasksScheduled: new Counter({ name: 'planekeeper_tasks_scheduled_total', help: 'Pending tasks made for due jobs, by kind', labelNames: ['kind'], registers: [registry] }),
    recoveries: new Counter({
      name: 'planekeeper_task_recoveries_total',
      help: 'Claimed tasks taken back, by reason (agent_offline, lease_expired, stale) and outcome (requeued, failed, cancelled: the job was disabled)',
      labelNames: ['reason', 'outcome'],
      registers: [registry],
    }),
    ingestions: new Counter({
      name: 'planekeeper_task_ingestions_total',
      help: 'task.completed messages handled, by kind and outcome (ingested, duplicate, not_succeeded, outdated, invalid, missing)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    ingestionSeconds: new Histogram({
      name: 'planekeeper_task_ingestion_duration_seconds',
      help: 'Time to ingest one task result',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers: [registry],
    }),
    tickSeconds: new Histogram({
      name: 'planekeeper_taskengine_tick_duration_seconds',
      help: 'Time of one scheduler tick or recovery check',
      labelNames: ['loop'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers: [registry],
    }),
  };
}

/** `run` with each run's duration observed as one tick of `loop` (scheduler or recovery). */
export function timedLoop(metrics: TaskengineMetrics, loop: string, run: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    const end = metrics.tickSeconds.startTimer({ loop });
    try {
      await run();
    } finally {
      end();
    }
  };
}
