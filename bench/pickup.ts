import type { Report } from './lib/report.ts';
import { percentile } from './lib/report.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant, registerAgent } from './lib/fixtures.ts';
import { startApp } from '../tests/support/app-process.ts';

const SAMPLES = 100;

/** A task made runnable -> claimed by an idle long-polling agent, over the real HTTP API. */
export async function benchPickup(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'pickup');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true' });
  try {
    const agentId = await registerAgent(api.url, tenant.agentKey, 'idle', []);
    const job = await db
      .insertInto('gather_jobs')
      .values({ organization_id: tenant.organizationId, name: 'pickup', source_type: 'github_release', source: JSON.stringify({ owner: 'o', repo: 'r' }), schedule: '0 0 1 1 *', enabled: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const claim = fetch(`${api.url}/api/v1/agent/tasks/claim`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.agentKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agentId, max: 1, wait: 30 }),
      });
      // Let the claim reach its wait before the task appears.
      await new Promise((r) => setTimeout(r, 30));
      const madeAt = performance.now();
      await db.insertInto('tasks').values({ organization_id: tenant.organizationId, kind: 'gather', gather_job_id: job.id, spec: JSON.stringify({}) }).execute();
      const response = await claim;
      const claimedAt = performance.now();
      if (response.status !== 200) throw new Error(`claim answered ${response.status}`);
      await response.json();
      latencies.push(claimedAt - madeAt);
      await db.updateTable('tasks').set({ status: 'succeeded', lease_token: null }).where('gather_job_id', '=', job.id).where('status', '=', 'claimed').execute();
    }
    report.record('pickup_latency_ms_p50', percentile(latencies, 50), 'ms');
    report.record('pickup_latency_ms_p95', percentile(latencies, 95), 'ms');
  } finally {
    await api.stop();
    await database.drop();
  }
}
