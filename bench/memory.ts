import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@planekeeper/db';
import { benchAgentTasks } from './agent-tasks.ts';
import { startAgentUpstreams } from './lib/agent-upstreams.ts';
import type { Report } from './lib/report.ts';
import { until } from './lib/client.ts';
import { freshDatabase, type BenchCluster } from './lib/cluster.ts';
import { makeBenchTenant } from './lib/fixtures.ts';
import { buildPackages, rssBreakdownOf, startBuilt } from './lib/node-process.ts';
import { startApp, startFlags } from '../tests/support/app-process.ts';

const IDLE_SECONDS = 20;
/**
 * The built agent's AGENT_TASK_WORKER_IDLE_SECONDS: shorter than the default 30 s only so the run
 * waits less for the worker to end; what is measured once it has ended does not depend on it.
 */
const TASK_WORKER_IDLE_SECONDS = '5';

/**
 * Idle memory, from /proc (VmRSS), of a real agent long-polling a real api, in the two ways they
 * run: from TypeScript sources (`node --conditions=source src/main.ts`, as `pnpm start` and the
 * tests run them) and from the build (the agent's start script, `node <flags> dist/main.js`, and
 * `node dist/main.js` for the api, with NODE_ENV=production, as the images run them; built here
 * first). Each agent heartbeats and long-polls every 2 s; after IDLE_SECONDS the resident sizes
 * of both agents and both apis are read. Then the built agent runs tasks (agent-tasks.ts).
 */
export async function benchMemory(cluster: BenchCluster, report: Report): Promise<void> {
  const buildSeconds = await buildPackages(['@planekeeper/agent', '@planekeeper/api']);
  report.note(`memory: built the agent and the api with their packages in ${Math.round(buildSeconds)} s`);
  const database = await freshDatabase(cluster.adminUrl, 'memory');
  const { db } = database.handle;
  const tenant = await makeBenchTenant(db);
  const apiEnv = { DATABASE_URL: database.url, API_SKIP_MIGRATIONS: 'true' };
  const agentEnv = (name: string, apiUrl: string) => ({
    AGENT_SERVER_URL: `${apiUrl}/api/v1/agent`,
    AGENT_API_KEY: tenant.agentKey,
    AGENT_NAME: name,
    AGENT_POLL_INTERVAL: '2',
    AGENT_CACHE_DIR: mkdtempSync(path.join(os.tmpdir(), 'pk-bench-agent-')),
  });
  const stops: Array<() => Promise<void>> = [];
  try {
    const upstreams = await startAgentUpstreams();
    stops.push(upstreams.close);
    const api = await startApp('api', apiEnv);
    stops.push(api.stop);
    const builtPort = await freePort();
    const builtApi = await startBuilt('apps/api/dist/main.js', { ...apiEnv, PORT: String(builtPort), NODE_OPTIONS: startFlags('api').join(' ') }, `http://127.0.0.1:${builtPort}/readyz`);
    stops.push(builtApi.stop);
    const agent = await startApp('agent', agentEnv('idle-from-sources', api.url), { readyPath: null });
    stops.push(agent.stop);
    const builtAgent = await startBuilt('apps/agent/dist/main.js', {
      ...agentEnv('idle-built', `http://127.0.0.1:${builtPort}`),
      ...upstreams.agentEnv,
      AGENT_TASK_WORKER_IDLE_SECONDS: TASK_WORKER_IDLE_SECONDS,
      // The agent's start script's node flags (the image's CMD repeats them; startBuilt takes none).
      NODE_OPTIONS: startFlags('agent').join(' '),
    });
    stops.push(builtAgent.stop);
    await until('both agents to register', async () => (await db.selectFrom('agents').select('id').execute()).length === 2, 60_000, 100);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    report.record('agent_rss_mb_idle', builtAgent.rssMb(), 'MB');
    report.record('agent_rss_mb_idle_from_sources', agent.rssMb(), 'MB');
    report.record('api_rss_mb_idle', builtApi.rssMb(), 'MB');
    report.record('api_rss_mb_idle_from_sources', api.rssMb(), 'MB');
    report.note(`memory: agent built ${rssBreakdownOf(builtAgent.pid)}; from sources ${rssBreakdownOf(agent.child.pid!)}; api built ${rssBreakdownOf(builtApi.pid)}; from sources ${rssBreakdownOf(api.child.pid!)}`);
    // Only the built agent may claim what follows.
    await agent.stop();
    await benchAgentTasks({ pid: builtAgent.pid, apiUrl: `http://127.0.0.1:${builtPort}`, adminKey: tenant.adminKey, db, upstreams }, report);
  } finally {
    for (const stop of stops.reverse()) await stop();
    await database.drop();
  }
}
