import type { Database } from '@planekeeper/db';
import type { RunningService } from '@planekeeper/runtime';
import { startInProcess } from '@planekeeper/runtime/testing';
import { sql, type Kysely } from 'kysely';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

export interface TaskengineUnderTest {
  service: RunningService;
  /** Every line it logged, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** The value of a counter or gauge series in its registry (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts a real taskengine in this process against `databaseUrl`, with its loops shortened
 * (override with `env`).
 */
export async function startTaskengine(databaseUrl: string, env: Record<string, string> = {}): Promise<TaskengineUnderTest> {
  const engine = await startInProcess({
    name: 'taskengine',
    loadConfig,
    createApp,
    env: {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '0.1',
      TASKENGINE_ORPHAN_CHECK_SECONDS: '3600',
      TASKENGINE_INGEST_CONCURRENCY: '2',
      ...env,
    },
  });
  const { service } = engine;
  return {
    service,
    get logs() {
      return engine.records();
    },
    async metric(name, labels = {}) {
      const metric = (await service.registry.getMetricsAsJSON()).find((m) => m.name === name);
      const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
      return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
    },
    stop: () => engine.stop(),
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Payloads of the jobs in a pg-boss queue. */
export async function queuedPayloads(db: Kysely<Database>, queue: string): Promise<unknown[]> {
  const { rows } = await sql<{ data: unknown }>`SELECT data FROM pgboss.job WHERE name = ${queue} ORDER BY created_on`.execute(db);
  return rows.map((r) => r.data);
}

/** Claims a pending task for `agentId` the way the api does (test stand-in for an agent's claim). */
export async function claimTask(db: Kysely<Database>, taskId: string, agentId: string): Promise<string | null> {
  const { rows } = await sql<{ lease_token: string }>`
    UPDATE tasks SET status = 'claimed', claimed_by = ${agentId}, claimed_at = now(), lease_token = gen_random_uuid(),
           lease_expires_at = now() + interval '5 minutes', attempts = attempts + 1, error = NULL, updated_at = now()
     WHERE id = ${taskId} AND status = 'pending'
    RETURNING lease_token`.execute(db);
  return rows[0]?.lease_token ?? null;
}

/** Resolves once each of `engines` has finished `ticks` more runs of `loop` (scheduler or recovery). */
export async function ticksPass(engines: TaskengineUnderTest[], loop: 'scheduler' | 'recovery', ticks = 2): Promise<void> {
  const runs = async (engine: TaskengineUnderTest) => {
    const metric = await engine.service.registry.getSingleMetric('planekeeper_taskengine_tick_duration_seconds')?.get();
    const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, unknown>; metricName?: string }>;
    return values.find((v) => v.metricName?.endsWith('_count') && v.labels.loop === loop)?.value ?? 0;
  };
  const start = await Promise.all(engines.map(runs));
  await waitFor(`${ticks} ${loop} runs`, async () => (await Promise.all(engines.map(runs))).every((n, i) => n >= start[i]! + ticks));
}
