import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { freshDatabase } from './lib/cluster.ts';
import { makeBenchTenant, makePendingTasks, registerAgent } from './lib/fixtures.ts';
import { startApp } from '../tests/support/app-process.ts';

const TASKS = 10_000;

/**
 * Claim throughput through the HTTP agent API (20 and 100 simulated agents, one task per claim,
 * capability and credential matching on), beside the same claim SQL driven straight from a pool.
 */
export async function benchClaims(adminUrl: string, report: Report): Promise<{ apiRssMb: number }> {
  const database = await freshDatabase(adminUrl, 'claims');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true' });
  let apiRssMb = Number.NaN;
  try {
    for (const agents of [20, 100]) {
      await db.deleteFrom('tasks').execute();
      await db.deleteFrom('gather_jobs').execute();
      await makePendingTasks(db, tenant.organizationId, TASKS);
      const ids = await Promise.all(
        Array.from({ length: agents }, (_, i) => registerAgent(api.url, tenant.agentKey, `bench-${agents}-${i}`, i % 2 === 0 ? ['corp-registry'] : [])),
      );
      const claimed: string[] = [];
      const started = performance.now();
      await Promise.all(
        ids.map(async (agentId) => {
          for (;;) {
            const response = await fetch(`${api.url}/api/v1/agent/tasks/claim`, {
              method: 'POST',
              headers: { authorization: `Bearer ${tenant.agentKey}`, 'content-type': 'application/json' },
              body: JSON.stringify({ agentId, max: 1, wait: 0 }),
            });
            if (response.status === 204) return;
            if (response.status !== 200) throw new Error(`claim answered ${response.status}: ${await response.text()}`);
            for (const task of ((await response.json()) as { tasks: Array<{ id: string }> }).tasks) claimed.push(task.id);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      report.record(`claim_tasks_per_s_${agents}_agents`, claimed.length / seconds, 'tasks/s');
      report.record(`double_claims_${agents}_agents`, claimed.length - new Set(claimed).size, 'tasks');
      if (claimed.length !== TASKS) report.note(`${agents} agents claimed ${claimed.length} of ${TASKS} tasks`);
    }
    apiRssMb = api.rssMb();

    // The same claim statement straight from a pool of 20 connections: the ceiling the API sits on.
    await db.updateTable('tasks').set({ status: 'pending', claimed_by: null, claimed_at: null, lease_token: null, lease_expires_at: null }).execute();
    const agent = await db.selectFrom('agents').select(['id', 'capabilities', 'credentials']).where('credentials', '@>', sql<string[]>`ARRAY['corp-registry']`).executeTakeFirstOrThrow();
    let count = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const { rows } = await sql<{ id: string }>`
            WITH picked AS (
              SELECT id FROM tasks
               WHERE organization_id = ${tenant.organizationId} AND status = 'pending' AND scheduled_at <= now()
                 AND kind = ANY(${agent.capabilities}::text[])
                 AND (credential_name IS NULL OR credential_name = ANY(${agent.credentials}::text[]))
               ORDER BY scheduled_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE tasks AS t SET status = 'claimed', claimed_by = ${agent.id}, claimed_at = now(),
                   lease_token = gen_random_uuid(), lease_expires_at = now() + interval '5 minutes',
                   attempts = t.attempts + 1, error = NULL, updated_at = now()
              FROM picked WHERE t.id = picked.id RETURNING t.id`.execute(db);
          if (rows.length === 0) return;
          count += rows.length;
        }
      }),
    );
    const ceiling = count / ((performance.now() - started) / 1000);
    report.record('claim_sql_ceiling_per_s', ceiling, 'tasks/s');
    const api20 = report.figures.find((f) => f.name === 'claim_tasks_per_s_20_agents')?.value ?? Number.NaN;
    report.record('claim_api_share_of_sql_ceiling_20_agents', (api20 / ceiling) * 100, '%');
  } finally {
    await api.stop();
    await database.drop();
  }
  return { apiRssMb };
}
