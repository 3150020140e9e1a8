import { performance } from 'node:perf_hooks';
import { createBoss, sendJob } from '@planekeeper/db';
import { evaluateQueue } from '@planekeeper/domain';
import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { until } from './lib/client.ts';
import { cpuMeter, cpuSecondsOf, postgresCpuSeconds, recordCpu } from './lib/cpu.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant } from './lib/fixtures.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';

const CONFIGS = 10_000;
/** Releases v1.0.0 ... v1.20.0: a config deployed on 1.m.0 is 20 - m minors behind. */
const MINORS = 21;

/**
 * One gather job referenced by 10,000 alert configs (each with its own manual scrape job, deployed
 * versions spread over 21 minors; rule minors_behind 2/4/6) evaluated by the real rules-engine
 * process. The clock starts when the bench enqueues `evaluate {gatherJobId}` (what the taskengine
 * sends once it has ingested the gather result) and stops when every config has an evaluation
 * newer than that and every `alert.event` job of the run exists. Two runs: the first opens an
 * alert for each violating config (19 of 21 versions), the second deploys 1.20.0 everywhere and
 * resolves them all.
 */
export async function benchEvaluate(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'evaluate');
  const { db } = database.handle;
  const { organizationId } = await makeBenchTenant(db);
  const boss = createBoss(database.url, { logger: { warn: () => undefined, error: (o) => console.error(o) }, applicationName: 'bench-evaluate', supervise: false });
  const engine = await startApp('rules-engine', { DATABASE_URL: database.url, ...profiling('rules-engine') });
  try {
    const gather = await db
      .insertInto('gather_jobs')
      .values({ organization_id: organizationId, name: 'upstream', source_type: 'github_release', source: JSON.stringify({ owner: 'o', repo: 'r' }), schedule: '0 0 1 1 *', enabled: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`
      INSERT INTO releases (organization_id, gather_job_id, tag, published_at)
      SELECT ${organizationId}, ${gather.id}, 'v1.' || m || '.0', now() - make_interval(days => 400 - m * 10)
        FROM generate_series(0, ${MINORS - 1}) AS m`.execute(db);
    const rule = await db.insertInto('rules').values({ organization_id: organizationId, name: 'minors', type: 'minors_behind', moderate: 2, high: 4, critical: 6 }).returning('id').executeTakeFirstOrThrow();
    await sql`
      WITH s AS (
        INSERT INTO scrape_jobs (organization_id, name, parser)
        SELECT ${organizationId}, 'deployed ' || i, 'manual' FROM generate_series(1, ${CONFIGS}) AS i
        RETURNING id, name
      ), snap AS (
        INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source, found_at)
        SELECT ${organizationId}, id, '1.' || (split_part(name, ' ', 2)::int % ${MINORS}) || '.0', 'manual', now() - interval '1 day' FROM s
      )
      INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id)
      SELECT ${organizationId}, 'config ' || name, ${gather.id}, id, ${rule.id} FROM s`.execute(db);
    await sql`ANALYZE`.execute(db);
    await boss.start();

    let violating = 0;
    for (let i = 1; i <= CONFIGS; i++) if (MINORS - 1 - (i % MINORS) >= 2) violating++;

    const alertEventJobs = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'alert.event'`.execute(db)).rows[0]!.n);
    const run = async (label: string) => {
      const since = new Date();
      const eventsBefore = await alertEventJobs();
      const engineCpu = cpuMeter(() => cpuSecondsOf(engine.child.pid!));
      const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
      const started = performance.now();
      await sendJob(boss, null, evaluateQueue, { organizationId, reason: 'gather_completed', target: { gatherJobId: gather.id } });
      await until(`${label}: every config evaluated and ${violating} alert.event jobs`, async () => {
        const evaluated = await db.selectFrom('evaluations').select((eb) => eb.fn.countAll<string>().as('n')).where('evaluated_at', '>=', since).executeTakeFirstOrThrow();
        return Number(evaluated.n) === CONFIGS && (await alertEventJobs()) - eventsBefore === violating;
      }, 120_000, 10);
      const seconds = (performance.now() - started) / 1000;
      return { seconds, cpu: { rules_engine: engineCpu.stop(), postgres: postgresCpu.stop() } };
    };

    const opening = await run('opening');
    report.record('evaluate_configs_per_s', CONFIGS / opening.seconds, 'configs/s');
    report.record('evaluate_10000_configs_s', opening.seconds, 's');
    recordCpu(report, 'evaluate', opening.cpu, CONFIGS / 1000, '1000_configs');
    await sql`
      INSERT INTO version_snapshots (organization_id, scrape_job_id, version, source)
      SELECT organization_id, id, '1.20.0', 'manual' FROM scrape_jobs WHERE organization_id = ${organizationId}`.execute(db);
    const resolving = await run('resolving');
    report.record('evaluate_resolve_configs_per_s', CONFIGS / resolving.seconds, 'configs/s');
    recordCpu(report, 'evaluate_resolve', resolving.cpu, CONFIGS / 1000, '1000_configs');
    report.note(`evaluate: ${violating} alerts opened, then resolved (one alert.event job each)`);
  } finally {
    await engine.stop();
    await boss.stop({ graceful: false, close: true });
    await database.drop();
  }
}
