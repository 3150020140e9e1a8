import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { callApi } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant } from './lib/fixtures.ts';
import { cpuMeter, cpuSecondsOf, postgresCpuSeconds, recordCpu } from './lib/cpu.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';
import { openLoop } from './lib/open-loop.ts';

const GATHER_JOBS = 1_000;
const RELEASES_PER_JOB = 1_000;
const CONFIGS = 10_000;
const ALERTS_PER_CONFIG = 10;
const RATE = 500;
const CONNECTIONS = 16;
const SECONDS = 15;

/**
 * Issue 17 point 2, the API side: 100,000 alerts (10,000 configs, one open and nine resolved
 * alerts each, spread over a year) and 1,000,000 releases (1,000 gather jobs of 1,000) in the
 * database. At 500 requests a second over 16 connections (autocannon, after a warm-up), each
 * connection cycling through the alert list's first page, the open alerts, the critical alerts,
 * and the first page of a gather job's releases.
 */
export async function benchApiAlertsLarge(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'apialerts');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const { organizationId } = tenant;
  await sql`
    WITH g AS (
      INSERT INTO gather_jobs (organization_id, name, source_type, source, schedule, enabled)
      SELECT ${organizationId}, 'upstream ' || i, 'github_release', jsonb_build_object('owner', 'o', 'repo', 'r' || i), '0 0 1 1 *', false
        FROM generate_series(1, ${GATHER_JOBS}) AS i
      RETURNING id
    )
    INSERT INTO releases (organization_id, gather_job_id, tag, published_at)
    SELECT ${organizationId}, g.id, 'v' || (k / 100) || '.' || (k % 100) || '.0', now() - make_interval(hours => ${RELEASES_PER_JOB} - k)
      FROM g, generate_series(1, ${RELEASES_PER_JOB}) AS k`.execute(db);
  await sql`
    WITH g AS (SELECT id FROM gather_jobs WHERE organization_id = ${organizationId} LIMIT 1),
    s AS (INSERT INTO scrape_jobs (organization_id, name, parser) VALUES (${organizationId}, 'deployed', 'manual') RETURNING id),
    r AS (INSERT INTO rules (organization_id, name, type, moderate, high, critical) VALUES (${organizationId}, 'minors', 'minors_behind', 2, 4, 6) RETURNING id)
    INSERT INTO alert_configs (organization_id, name, gather_job_id, scrape_job_id, rule_id)
    SELECT ${organizationId}, 'config ' || i, g.id, s.id, r.id FROM g, s, r, generate_series(1, ${CONFIGS}) AS i`.execute(db);
  await sql`
    INSERT INTO alerts (organization_id, alert_config_id, alert_config_name, status, severity, rule_type, deployed_version,
                        latest_version, behind_by, created_at, updated_at, resolved_at)
    SELECT c.organization_id, c.id, c.name, CASE WHEN k = 0 THEN 'open' ELSE 'resolved' END,
           (ARRAY['moderate', 'high', 'critical'])[1 + ((k + hashtext(c.name)) % 3 + 3) % 3], 'minors_behind', '1.' || k || '.0', '1.20.0', 20 - k,
           at, at, CASE WHEN k = 0 THEN NULL ELSE at + interval '1 day' END
      FROM alert_configs c, generate_series(0, ${ALERTS_PER_CONFIG - 1}) AS k,
           LATERAL (SELECT now() - make_interval(secs => random() * 365 * 86400) AS at) AS t
     WHERE c.organization_id = ${organizationId}`.execute(db);
  await sql`VACUUM ANALYZE`.execute(db);
  const gatherJob = await db.selectFrom('gather_jobs').select('id').where('organization_id', '=', organizationId).orderBy('id').limit(1).executeTakeFirstOrThrow();

  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '100000000', API_SKIP_MIGRATIONS: 'true', ...profiling('api') });
  try {
    const paths = ['/api/v1/alerts', '/api/v1/alerts?status=open', '/api/v1/alerts?severity=critical', `/api/v1/gather-jobs/${gatherJob.id}/releases`];
    for (const path of paths) {
      const page = await callApi<{ items: unknown[] }>(api.url, tenant.adminKey, 'GET', path);
      if (page.body.items.length === 0) throw new Error(`${path} answered no items`);
    }
    const summary = await callApi<{ alerts?: unknown }>(api.url, tenant.adminKey, 'GET', '/api/v1/summary');
    if (summary.status !== 200) throw new Error(`/api/v1/summary answered ${summary.status}`);
    const urls = [...paths, '/api/v1/summary'].map((path) => `${api.url}${path}`);
    const load = (seconds: number) => openLoop(urls, { rate: RATE, seconds, connections: CONNECTIONS, headers: { authorization: `Bearer ${tenant.adminKey}` } });
    await load(3);
    const apiCpu = cpuMeter(() => cpuSecondsOf(api.child.pid!));
    const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
    const result = await load(SECONDS);
    if (result.failed > 0) report.note(`api alerts 100k: ${result.failed} requests failed or answered other than 2xx`);
    report.record('api_alerts_100k_ms_p99', result.latency.p99, 'ms');
    report.note(`api alerts 100k: ${result.rate} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms over ${urls.length} routes (the alert lists, a gather job's releases, the summary), evenly paced`);
    recordCpu(report, 'api_alerts_100k', { api: apiCpu.stop(), postgres: postgresCpu.stop() }, result.requests, 'request');
  } finally {
    await api.stop();
    await database.drop();
  }
}
