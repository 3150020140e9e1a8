import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { caller, type Call } from '../security/tenants.ts';
import { startApp, type RunningApp } from './app-process.ts';
import { BOOTSTRAP_KEY, eventually, writeAgentConfig } from './stack.ts';

/** A real api process and a real agent process, with an organization, its keys and the agent's lines. */
export interface AgentSite {
  api: RunningApp;
  agent: RunningApp;
  call: Call;
  keys: { admin: string; member: string };
  /** Every line the agent wrote (JSON logs). */
  agentLog: string[];
  /** Creates a job as `key`, runs it now and waits for its task to end. */
  runJob(resource: 'gather-jobs' | 'scrape-jobs' | 'helm-sync-jobs', body: Record<string, unknown>, key?: string): Promise<{ status: string; error: string | null }>;
  stop(): Promise<void>;
}

/**
 * The api and an agent whose config.yaml holds `credentials` (see writeAgentConfig) and whose
 * environment adds `agentEnv` (GITHUB_TOKEN, ...): what a site runs, minus the services that
 * schedule, evaluate and notify, which the agent never talks to.
 */
export async function startAgentSite(credentials: Parameters<typeof writeAgentConfig>[0], agentEnv: Record<string, string> = {}): Promise<AgentSite> {
  const test: TestDatabase = await createTestDatabase();
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pk-agent-site-'));
  const api = await startApp('api', { DATABASE_URL: test.url, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, API_RATE_LIMIT_PER_MINUTE: '0' });
  const call = caller(api.url);
  const admin = (await call('POST', '/api/v1/organizations', { name: 'agent site' })).body.adminKey.key as string;
  const member = (await call('POST', '/api/v1/api-keys', { name: 'member', role: 'member' }, admin)).body.key as string;
  const agentKey = (await call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' }, admin)).body.key as string;
  const agentLog: string[] = [];
  const agent = await startApp(
    'agent',
    {
      AGENT_SERVER_URL: `${api.url}/api/v1/agent`,
      AGENT_API_KEY: agentKey,
      AGENT_NAME: 'site-agent',
      AGENT_POLL_INTERVAL: '1',
      AGENT_CACHE_DIR: cacheDir,
      AGENT_CONFIG: writeAgentConfig(credentials),
      LOG_LEVEL: 'debug',
      ...agentEnv,
    },
    { readyPath: null, onLine: (line) => agentLog.push(line) },
  );
  await eventually('the agent registered', async () => {
    const agents = await call('GET', '/api/v1/agents', undefined, admin);
    return agents.body?.items?.length > 0 ? true : undefined;
  });
  return {
    api,
    agent,
    call,
    keys: { admin, member },
    agentLog,
    async runJob(resource, body, key = member) {
      const created = await call('POST', `/api/v1/${resource}`, { schedule: '0 0 1 1 *', ...body }, key);
      if (created.status !== 201) throw new Error(`creating ${String(body.name)}: ${created.status} ${JSON.stringify(created.body)}`);
      const run = await call('POST', `/api/v1/${resource}/${created.body.id}/run`, undefined, key);
      if (run.status >= 300) throw new Error(`running ${String(body.name)}: ${run.status} ${JSON.stringify(run.body)}`);
      const task = await eventually(`the task of ${String(body.name)}`, async () => {
        const item = (await call('GET', `/api/v1/tasks?jobId=${created.body.id}`, undefined, key)).body?.items?.[0];
        return item?.status === 'failed' || item?.status === 'succeeded' ? item : undefined;
      }, 60_000);
      return { status: task.status, error: task.error };
    },
    async stop() {
      await agent.stop();
      await api.stop();
      await test.destroy();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
