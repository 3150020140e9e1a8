import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Database } from '@planekeeper/db';
import { sql, type Kysely } from 'kysely';
import type { Report } from './lib/report.ts';
import { percentile } from './lib/report.ts';
import { until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { cpuMeter, cpuSecondsOf } from './lib/cpu.ts';
import { makeBenchTenant, registerAgent } from './lib/fixtures.ts';
import { profiling } from './lib/node-process.ts';
import { startApp } from '../tests/support/app-process.ts';

const AGENTS = Number(process.env.PK_BENCH_LONGPOLL_AGENTS ?? 2_000);
/** How long each claim long-polls: what the agent asks for by default (its poll interval, capped at 25 s). */
const WAIT_SECONDS = 25;
/** Waiting with no work is measured over this long: every claim runs out and polls again once, as agents do. */
const IDLE_SECONDS = 30;
const TASKS = 200;
const TASK_EVERY_MS = 50;

/** Connections to the database from processes other than this bench (the api's pool and its pg-boss). */
async function connectionsOf(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name NOT LIKE 'planekeeper-bench%'`.execute(db);
  return Number(rows[0]!.n);
}

/** Transactions committed in this database so far (each claim statement is one). */
async function committedTransactions(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`.execute(db);
  return Number(rows[0]!.n);
}

/**
 * Issue 17 point 1: 2,000 agents long-polling one api (`POST /api/v1/agent/tasks/claim`,
 * `wait: 25` as the agent asks, polling again at once), each over its own HTTP connection on
 * loopback, from this process. Measured over 30 s of waiting with no work, from when every claim
 * waits (so every claim runs out and is sent again once): the api's CPU, and its resident memory
 * at the end beyond what it had with the same agents registered and none waiting (per waiting
 * agent; RSS only 3 s after every claim waits, before any ran out, is in a note), and the
 * database connections it holds (before and while they wait). Then 200 tasks made
 * pending one every 50 ms: each task's pickup is from its insert to the claim answer that holds
 * it (each agent polls again at once after a task, as the agent does).
 */
export async function benchLongPoll(cluster: BenchCluster, report: Report): Promise<void> {
  const database = await freshDatabase(cluster.adminUrl, 'longpoll');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const api = await startApp('api', { DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: '0', API_SKIP_MIGRATIONS: 'true', ...profiling('api') });
  const agent = new http.Agent({ keepAlive: true, maxSockets: AGENTS + 10 });
  const target = new URL(api.url);
  const stop = new AbortController();
  try {
    const ids: string[] = [];
    for (let i = 0; i < AGENTS; i += 50) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(50, AGENTS - i) }, (_, j) => registerAgent(api.url, tenant.agentKey, `waiting-${i + j}`, [])))));
    }
    // One job per task (a job has one open task at a time).
    const jobs = await db.insertInto('gather_jobs')
      .values(Array.from({ length: TASKS }, (_, i) => ({ organization_id: tenant.organizationId, name: `longpoll ${i}`, source_type: 'github_release' as const, source: JSON.stringify({ owner: 'o', repo: 'r' }), schedule: '0 0 1 1 *', enabled: false })))
      .returning('id').execute();
    // Settled before the baseline: the registrations' garbage collected as far as it will be.
    await new Promise((r) => setTimeout(r, 3000));
    const rssBefore = api.rssMb();
    const connectionsBefore = await connectionsOf(db);

    const claimedAt = new Map<string, number>();
    let waiting = 0;
    let errors = 0;
    const claim = (agentId: string) => new Promise<Array<{ id: string }>>((resolve, reject) => {
      const payload = JSON.stringify({ agentId, max: 1, wait: WAIT_SECONDS });
      const request = http.request({
        agent, host: target.hostname, port: target.port, path: '/api/v1/agent/tasks/claim', method: 'POST', signal: stop.signal,
        headers: { authorization: `Bearer ${tenant.agentKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode === 204) return resolve([]);
          if (response.statusCode !== 200) return reject(new Error(`claim answered ${response.statusCode}: ${text.slice(0, 200)}`));
          resolve((JSON.parse(text) as { tasks: Array<{ id: string }> }).tasks);
        });
      });
      request.on('error', reject);
      request.end(payload);
    });
    const loops = ids.map(async (agentId) => {
      while (!stop.signal.aborted) {
        waiting++;
        try {
          const tasks = await claim(agentId);
          const at = performance.now();
          for (const task of tasks) claimedAt.set(task.id, at);
        } catch {
          if (!stop.signal.aborted) errors++;
        } finally {
          waiting--;
        }
      }
    });

    // Every claim sent and waiting in the api.
    await until('every claim waiting', async () => waiting === AGENTS, 60_000, 50);
    const cpu = cpuMeter(() => cpuSecondsOf(api.child.pid!));
    const statementsBefore = await committedTransactions(db);
    await new Promise((r) => setTimeout(r, 3000));
    const rssFirstWait = api.rssMb();
    const connectionsWaiting = await connectionsOf(db);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000 - 3000));
    const idleCpuSeconds = cpu.stop()!;
    const idleStatements = (await committedTransactions(db)) - statementsBefore - 2;
    const rssWaiting = api.rssMb();
    report.record('longpoll_api_kb_per_waiting_agent', ((rssWaiting - rssBefore) * 1024) / AGENTS, 'KB');
    report.record('longpoll_api_idle_cpu_pct', (idleCpuSeconds / IDLE_SECONDS) * 100, '% of a core');
    report.record('longpoll_pg_connections', connectionsWaiting, 'connections');
    report.note(`longpoll: while waiting with no work, ${Math.round(idleStatements / IDLE_SECONDS)} transactions a second in the database`);
    report.note(`longpoll: ${AGENTS} agents waiting; api RSS ${Math.round(rssBefore)} MB with them registered, ${Math.round(rssFirstWait)} MB 3 s after every claim waited (${Math.round(((rssFirstWait - rssBefore) * 1024) / AGENTS)} KB an agent), ${Math.round(rssWaiting)} MB once every claim had run out and waited again; ${connectionsBefore} database connections before, ${connectionsWaiting} while waiting`);

    const madeAt = new Map<string, number>();
    const pickupCpu = cpuMeter(() => cpuSecondsOf(api.child.pid!));
    for (let i = 0; i < TASKS; i++) {
      const started = performance.now();
      const task = await db.insertInto('tasks').values({ organization_id: tenant.organizationId, kind: 'gather', gather_job_id: jobs[i]!.id, spec: JSON.stringify({}) }).returning('id').executeTakeFirstOrThrow();
      madeAt.set(task.id, started);
      const rest = TASK_EVERY_MS - (performance.now() - started);
      if (rest > 1) await new Promise((r) => setTimeout(r, rest));
    }
    await until('every task picked up', async () => claimedAt.size >= TASKS, 30_000, 20).catch(() => report.note(`longpoll: ${claimedAt.size} of ${TASKS} tasks picked up within 30 s`));
    report.record('longpoll_pickup_cpu_ms_per_task_api', (pickupCpu.stop()! * 1000) / TASKS, 'ms');
    const pickups = [...madeAt].flatMap(([id, at]) => (claimedAt.has(id) ? [claimedAt.get(id)! - at] : []));
    report.record('longpoll_pickup_ms_p95', percentile(pickups, 95), 'ms');
    report.note(`longpoll: pickup p50 ${Math.round(percentile(pickups, 50))} ms; ${errors} claims failed`);
    stop.abort();
    await Promise.allSettled(loops);
  } finally {
    stop.abort();
    agent.destroy();
    await api.stop();
    await database.drop();
  }
}
