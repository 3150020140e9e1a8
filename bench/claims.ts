import { sql } from 'kysely';
import { claimPendingTasks } from '../apps/api/src/db/agent-tasks.queries.ts';
import type { Report } from './lib/report.ts';
import { leanPoster } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { deletePendingTasks, makeBenchTenant, makePendingTasks, registerAgent } from './lib/fixtures.ts';
import { cpuMeter, cpuSecondsOf, postgresCpuSeconds, recordCpu } from './lib/cpu.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';

const TASKS = 10_000;

/**
 * Claim throughput through the HTTP agent API (20 and 100 simulated agents, one task per claim,
 * capability and credential matching on), beside the same claim SQL driven straight from a pool.
 */
export async function benchClaims(cluster: BenchCluster, report: Report): Promise<{ apiRssMb: number }> {
  const database = await freshDatabase(cluster.adminUrl, 'claims');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true', ...profiling('api') });
  let apiRssMb = Number.NaN;
  try {
    for (const agents of [20, 100]) {
      await deletePendingTasks(db);
      await makePendingTasks(db, tenant.organizationId, TASKS);
      const ids = await Promise.all(
        Array.from({ length: agents }, (_, i) => registerAgent(api.url, tenant.agentKey, `bench-${agents}-${i}`, i % 2 === 0 ? ['corp-registry'] : [])),
      );
      const claimed: string[] = [];
      const apiCpu = cpuMeter(() => cpuSecondsOf(api.child.pid!));
      const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
      const agentsCpu = cpuMeter(() => cpuSecondsOf(process.pid));
      // One kept-alive connection per agent, as real agents hold.
      const client = leanPoster(api.url, tenant.agentKey, agents);
      const started = performance.now();
      await Promise.all(
        ids.map(async (agentId) => {
          for (;;) {
            const response = await client.post('/api/v1/agent/tasks/claim', { agentId, max: 1, wait: 0 });
            if (response.status === 204) return;
            if (response.status !== 200) throw new Error(`claim answered ${response.status}: ${response.text}`);
            for (const task of (JSON.parse(response.text) as { tasks: Array<{ id: string }> }).tasks) claimed.push(task.id);
          }
        }),
      );
      client.close();
      const seconds = (performance.now() - started) / 1000;
      const cpu = { api: apiCpu.stop(), postgres: postgresCpu.stop(), simulated_agents: agentsCpu.stop() };
      report.record(`claim_tasks_per_s_${agents}_agents`, claimed.length / seconds, 'tasks/s');
      recordCpu(report, `claim_${agents}_agents`, cpu, claimed.length, 'task');
      report.record(`double_claims_${agents}_agents`, claimed.length - new Set(claimed).size, 'tasks');
      if (claimed.length !== TASKS) report.note(`${agents} agents claimed ${claimed.length} of ${TASKS} tasks`);
    }
    apiRssMb = api.rssMb();

    // The same claim statement (imported from the api) straight from a pool of 20 connections:
    // the ceiling the API sits on, over 10,000 tasks made the same way as for the API runs (not
    // the claimed ones set back to pending: that leaves a dead row version per task in the
    // claimable index, which every claim then walks past).
    await deletePendingTasks(db);
    await makePendingTasks(db, tenant.organizationId, TASKS);
    const agent = await db.selectFrom('agents').select('id').where('credentials', '@>', sql<string[]>`ARRAY['corp-registry']`).executeTakeFirstOrThrow();
    let count = 0;
    const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const { tasks } = await claimPendingTasks(db, { organizationId: tenant.organizationId, agentId: agent.id, keyId: tenant.agentKeyId, max: 1, leaseSeconds: 300 });
          if (tasks.length === 0) return;
          count += tasks.length;
        }
      }),
    );
    const ceiling = count / ((performance.now() - started) / 1000);
    report.record('claim_sql_ceiling_per_s', ceiling, 'tasks/s');
    recordCpu(report, 'claim_sql_ceiling', { postgres: postgresCpu.stop() }, count, 'task');
    const api20 = report.figures.find((f) => f.name === 'claim_tasks_per_s_20_agents')?.value ?? Number.NaN;
    report.record('claim_api_share_of_sql_ceiling_20_agents', (api20 / ceiling) * 100, '%');
  } finally {
    await api.stop();
    await database.drop();
  }
  return { apiRssMb };
}
