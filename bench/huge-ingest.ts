import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Report } from './lib/report.ts';
import { callApi, until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { cpuMeter, cpuSecondsOf, postgresCpuSeconds } from './lib/cpu.ts';
import { makeBenchTenant, registerAgent } from './lib/fixtures.ts';
import { profiling } from './lib/node-process.ts';
import { startApp, type RunningApp } from '../tests/support/app-process.ts';

const VERSIONS = 20_000;

interface ClaimedTask {
  id: string;
  kind: string;
  jobId: string;
  leaseToken: string;
}

/**
 * Issue 17 point 3, the server side: a gather result of 20,000 releases (a GitHub repository with
 * 200 pages of them: tags v<major>.<minor>.<patch>, a date and a URL each, 2.4 MB of JSON) posted
 * by a simulated agent to the real api and ingested by the real taskengine. The clock starts
 * before the POST and stops when the taskengine has marked the task ingested. Then the job runs
 * again and the same result is posted: its time against the first, and the release rows it
 * wrote (inserted or updated since it started; it should write none).
 */
export async function benchHugeIngest(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'huge');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const apps: RunningApp[] = [];
  try {
    const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true', ...profiling('api') });
    apps.push(api);
    const taskengine = await startApp('taskengine', { DATABASE_URL: database.url, ...profiling('taskengine') });
    apps.push(taskengine);
    const admin = <T>(method: string, route: string, body?: unknown) => callApi<T>(api.url, tenant.adminKey, method, route, body);
    const agentId = await registerAgent(api.url, tenant.agentKey, 'huge', []);
    const gather = await admin<{ id: string }>('POST', '/api/v1/gather-jobs', { name: 'huge upstream', sourceType: 'github_release', source: { owner: 'acme', repo: 'huge' }, schedule: '0 0 1 1 *' });
    const now = Date.now();
    const releases = Array.from({ length: VERSIONS }, (_, i) => {
      const tag = `v${Math.floor(i / 1000)}.${Math.floor(i / 20) % 50}.${i % 20}`;
      return { tag, publishedAt: new Date(now - (VERSIONS - i) * 3_600_000).toISOString(), prerelease: false, url: `https://github.com/acme/huge/releases/tag/${tag}` };
    });
    const body = JSON.stringify({ releases });

    const run = async () => {
      let task: ClaimedTask | undefined;
      while (!task) {
        const answer = await callApi<{ tasks: ClaimedTask[] }>(api.url, tenant.agentKey, 'POST', '/api/v1/agent/tasks/claim', { agentId, max: 1, wait: 10 });
        task = answer.body?.tasks.find((t) => t.jobId === gather.body.id);
      }
      const apiCpu = cpuMeter(() => cpuSecondsOf(api.child.pid!));
      const engineCpu = cpuMeter(() => cpuSecondsOf(taskengine.child.pid!));
      const postgresCpu = cpuMeter(() => postgresCpuSeconds(cluster.dataDir));
      const { rows } = await sql<{ txid: string }>`SELECT txid_current()::text AS txid`.execute(db);
      const started = performance.now();
      const answer = await fetch(`${api.url}/api/v1/agent/tasks/${task.id}/result`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.agentKey}`, 'content-type': 'application/json' },
        body: `{"leaseToken":${JSON.stringify(task.leaseToken)},"result":${body}}`,
      });
      const acceptedMs = performance.now() - started;
      if (answer.status !== 202) throw new Error(`result answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
      const taskId = task.id;
      await until('the result ingested', async () => {
        const row = await db.selectFrom('tasks').select('ingested_at').where('id', '=', taskId).executeTakeFirst();
        return row?.ingested_at != null;
      }, 300_000, 10);
      const seconds = (performance.now() - started) / 1000;
      const written = await sql<{ n: string }>`SELECT count(*) AS n FROM releases WHERE gather_job_id = ${gather.body.id} AND xmin::text::bigint >= ${rows[0]!.txid}::bigint`.execute(db);
      const cpu = [`api ${Math.round((apiCpu.stop() ?? 0) * 1000)} ms`, `taskengine ${Math.round((engineCpu.stop() ?? 0) * 1000)} ms`, `Postgres ${Math.round((postgresCpu.stop() ?? 0) * 1000)} ms`];
      return { seconds, acceptedMs, written: Number(written.rows[0]!.n), cpu: cpu.join(', ') };
    };

    const first = await run();
    const stored = await db.selectFrom('releases').select((eb) => eb.fn.countAll<string>().as('n')).where('gather_job_id', '=', gather.body.id).executeTakeFirstOrThrow();
    await admin('POST', `/api/v1/gather-jobs/${gather.body.id}/run`);
    const second = await run();
    report.record('huge_first_ingest_s', first.seconds, 's');
    report.record('huge_second_ingest_ratio', second.seconds / first.seconds, 'x');
    report.record('huge_second_ingest_rows_written', second.written, 'rows');
    report.note(`huge ingest: first ${first.seconds.toFixed(2)} s (api accepted it in ${Math.round(first.acceptedMs)} ms; CPU ${first.cpu}), ${first.written} release rows written, ${stored.n} stored`);
    report.note(`huge ingest: second ${second.seconds.toFixed(2)} s (accepted in ${Math.round(second.acceptedMs)} ms; CPU ${second.cpu}), ${second.written} release rows written`);
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await database.drop();
  }
}
