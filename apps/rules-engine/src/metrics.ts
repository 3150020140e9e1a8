import type { Database } from '@planekeeper/db';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The rules-engine's own metrics. */
export interface RulesEngineMetrics {
  evaluations: Counter<'status'>;
  alertEvents: Counter<'type'>;
  batchDuration: Histogram;
  evaluateJobs: Counter<'outcome'>;
}

/**
 * Registers the rules-engine's metrics on `registry`. With `db`, also the gauge of alert configs
 * by the status of their latest evaluation, read on each scrape (every replica reports the same).
 */
export function createRulesEngineMetrics(registry: Registry, db?: Kysely<Database>): RulesEngineMetrics {
  if (db) {
    new Gauge({
      name: 'planekeeper_evaluations',
      help: 'Alert configs by the status of their latest evaluation (ok | unknown), every organization: unknown ones for long are stuck (a deployed version no release matches)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const rows = await db.selectFrom('evaluations').select(['status', db.fn.countAll<string>().as('n')]).groupBy('status').execute();
        for (const status of ['ok', 'unknown'] as const) this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
      },
    });
  }
  return {
    evaluations: new Counter({
      name: 'planekeeper_evaluations_total',
      help: 'Alert config evaluations written, by status (ok | unknown)',
      labelNames: ['status'],
      registers: [registry],
    }),
    alertEvents: new Counter({
      name: 'planekeeper_alert_events_total',
      help: 'Alert events written by the rules engine, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'planekeeper_evaluation_batch_duration_seconds',
      help: 'Time to lock, evaluate and write one batch of alert configs',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    evaluateJobs: new Counter({
      name: 'planekeeper_evaluate_jobs_total',
      help: 'evaluate jobs handled, by outcome (completed | failed | invalid)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
