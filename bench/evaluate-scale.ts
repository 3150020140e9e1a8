import { performance } from 'node:perf_hooks';
import { createBoss, sendJob } from '@planekeeper/db';
import { evaluateQueue } from '@planekeeper/domain';
import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { until } from './lib/client.ts';
import { cpuMeter, cpuSecondsOf, postgresCpuSeconds } from './lib/cpu.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant } from './lib/fixtures.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';

/** Configs per tier; PK_BENCH_EVALUATE_TIERS=1000,10000 to leave out the 100k one. */
const TIERS = (process.env.PK_BENCH_EVALUATE_TIERS ?? '1000,10000,100000').split(',').map(Number);
/** Configs per gather job (an upstream followed by 100 deployments). */
const CONFIGS_PER_GATHER_JOB = 100;
/** Releases of each gather job: v1.0.0 ... v1.29.0. */
const MINORS = 30;

/**
 * Issue 17 point 2: 1,000, 10,000 and 100,000 alert configs evaluated by the real rules-engine,
 * each tier on a fresh database: one gather job (30 releases) per 100 configs, one manual scrape
 * job with one snapshot per config (deployed versions spread over the 30 minors; rule
 * minors_behind 2/4/6, one rule for all). The clock starts when the bench enqueues
 * `evaluate {ruleId}` (what the api sends when the rule changes: every config of it) and stops
 * when every config has an evaluation newer than that and every `alert.event` job exists.
 */
export async function benchEvaluateScale(cluster: BenchCluster, report: Report): Promise<void> {
  const seconds = new Map<number, number>();
  for (const configs of TIERS) {
    const result = await evaluateTier(cluster, configs);
    seconds.set(configs, result.seconds);
    report.record(`evaluate_${configs}_configs_s`, result.seconds, 's');
    report.note(`evaluate ${configs} configs: ${result.alerts} alerts opened; CPU per 1,000 configs: rules-engine ${result.engineMs} ms, Postgres ${result.postgresMs ?? '?'} ms`);
  }
  const at10k = seconds.get(10_000);
  const at100k = seconds.get(100_000);
  if (at10k !== undefined && at100k !== undefined) report.record('evaluate_cost_ratio_100k_to_10k', at100k / 10 / at10k, 'x');
}

async function evaluateTier(cluster: BenchCluster, configs: number): Promise<{ seconds: number; alerts: number; engineMs: number; postgresMs: number | null }> {
  const database = await freshDatabase(cluster.adminUrl, `evaluate_${configs}`);
  const { db } = database.handle;
  const { organizationId } = await makeBenchTenant(db);
  const boss = createBoss(database.url, { logger: { warn: () => undefined, error: (o) => console.error(o) }, applicationName: 'bench-evaluate-scale', supervise: false });
  const engine = await startApp('rules-engine', { DATABASE_URL: database.url, ...profiling('rules-engine') });
  try {
    const gatherJobs = Math.max(1, Math.ceil(configs / CONFIGS_PER_GATHER_JOB));
    await sql`
      WITH g AS (
        INSERT INTO gather_jobs (organization_id, name, source_type, source, schedule, enabled)
        SELECT ${organizationId}, 'upstream ' || i, 'github_release', jsonb_build_object('owner', 'o', 'repo', 'r' || i), '0 0 1 1 *', false
          FROM generate_series(1, ${gatherJobs}) AS i
        RETURNING id
      )
      INSERT INTO releases (organization_id, gather_job_id, tag, published_at)
      SELECT ${organizationId}, g.id, 'v1.' || m || '.0', now() - make_interval(days => 400 - m * 10)
        FROM g, generate_series(0, ${MINORS - 1}) AS m`.execute(db);
    const rule = await db.insertInto('rules').values({ organization_id: organizationId, name: 'minors', type: 'minors_behind', moderate: 2, high: 4, critical: 6 }).returning('id').executeTakeFirstOrThrow();
    await sql`
      WITH g AS (
        SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM gather_jobs WHERE organization_id = ${organizationId}
      ), s AS (
        INSERT INTO scrape_jobs (organization_id, name, parser)
        SELECT ${organizationId}, 'deployed ' || i, 'manual' FROM generate_series(1, ${configs}) AS i
        RETURNING id, name
      ), snap AS (
        INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source, found_at)
        SELECT ${organizationId}, id, '1.' || (split_part(name, ' ', 2)::int % ${MINORS}) || '.0', 'manual', now() - interval '1 day' FROM s
      )
      INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id)
      SELECT ${organizationId}, 'config ' || s.name, g.id, s.id, ${rule.id}
        FROM s JOIN g ON g.n = split_part(s.name, ' ', 2)::int % ${gatherJobs}`.execute(db);
    await sql`VACUUM ANALYZE`.execute(db);
    await boss.start();

    let violating = 0;
    for (let i = 1; i <= configs; i++) if (MINORS - 1 - (i % MINORS) >= 2) violating++;
    const alertEventJobs = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'alert.event'`.execute(db)).rows[0]!.n);
    const since = new Date();
    const engineCpu = cpuMeter(() => cpuSecondsOf(engine.child.pid!));
    const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
    const started = performance.now();
    await sendJob(boss, null, evaluateQueue, { organizationId, reason: 'rule_changed', target: { ruleId: rule.id } });
    // Polled every configs/100 ms (1 s at 100k): each look counts rows in proportion to the tier,
    // and at 100k looking every 200 ms cost Postgres some 7 s of CPU of its own.
    await until(`every one of ${configs} configs evaluated and ${violating} alert.event jobs`, async () => {
      const evaluated = await db.selectFrom('evaluations').select((eb) => eb.fn.countAll<string>().as('n')).where('evaluated_at', '>=', since).executeTakeFirstOrThrow();
      return Number(evaluated.n) === configs && (await alertEventJobs()) === violating;
    }, 900_000, Math.max(20, configs / 100));
    const seconds = (performance.now() - started) / 1000;
    const engineSeconds = engineCpu.stop() ?? 0;
    const postgresSeconds = postgresCpu.stop();
    return {
      seconds,
      alerts: violating,
      engineMs: Math.round((engineSeconds * 1000 * 1000) / configs),
      postgresMs: postgresSeconds === null ? null : Math.round((postgresSeconds * 1000 * 1000) / configs),
    };
  } finally {
    await engine.stop();
    await boss.stop({ graceful: false, close: true });
    await database.drop();
  }
}
