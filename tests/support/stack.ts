/* eslint-disable @typescript-eslint/no-explicit-any -- responses are asserted field by field */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { startApp, type RunningApp } from './app-process.ts';

export const BOOTSTRAP_KEY = 'pk_e2e_bootstrap_admin_key_0123456789';

/** Every line each process wrote (JSON logs), to look for secrets and to explain failures. */
export type LogBook = Map<string, string[]>;

export interface Stack {
  test: TestDatabase;
  api: RunningApp;
  apps: Map<string, RunningApp>;
  logs: LogBook;
  /** A JSON client with the bootstrap admin key (or another key). */
  call: (method: string, route: string, body?: unknown, key?: string) => Promise<{ status: number; body: any }>;
  startAgent(env: Record<string, string>): Promise<RunningApp>;
  restart(name: string): Promise<RunningApp>;
  stop(): Promise<void>;
}

const FAST = {
  LOG_LEVEL: 'debug',
  TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '0.2',
  TASKENGINE_ORPHAN_CHECK_SECONDS: '1',
  NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true',
  NOTIFIER_RETRY_BASE_SECONDS: '0.2',
  API_RATE_LIMIT_PER_MINUTE: '0',
};

/**
 * The whole stack as real processes on a fresh database: api, taskengine, rules-engine and
 * notifier, with intervals shortened for tests. Agents are started by the test.
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const test = await createTestDatabase();
  const logs: LogBook = new Map();
  const apps = new Map<string, RunningApp>();
  const envFor = (name: string) => ({ ...FAST, DATABASE_URL: test.url, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, ...env, ...(name === 'api' ? {} : {}) });
  const launch = async (name: string, extra: Record<string, string> = {}) => {
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    const app = await startApp(name, { ...envFor(name), ...extra }, { onLine: (line) => lines.push(line), ...(name === 'agent' ? { readyPath: null } : {}) });
    apps.set(name, app);
    return app;
  };
  const api = await launch('api');
  const publicUrl = api.url;
  await Promise.all([launch('taskengine'), launch('rules-engine'), launch('notifier', { PUBLIC_URL: publicUrl })]);
  const agentEnv = new Map<string, Record<string, string>>();
  const call = async (method: string, route: string, body?: unknown, key = BOOTSTRAP_KEY) => {
    const response = await fetch(`${api.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    test,
    api,
    apps,
    logs,
    call,
    async startAgent(extra) {
      const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pk-e2e-agent-'));
      const agent = { AGENT_SERVER_URL: `${api.url}/api/v1/agent`, AGENT_NAME: 'e2e-agent', AGENT_POLL_INTERVAL: '1', AGENT_CACHE_DIR: cacheDir, ...extra };
      agentEnv.set('agent', agent);
      return launch('agent', agent);
    },
    async restart(name) {
      await apps.get(name)?.stop();
      return launch(name, name === 'agent' ? agentEnv.get('agent') : name === 'notifier' ? { PUBLIC_URL: publicUrl } : {});
    },
    async stop() {
      await Promise.all([...apps.values()].map((app) => app.stop()));
      await test.destroy();
    },
  };
}

/** Writes an agent credentials file (the seed's config.yaml) and returns its path. */
export function writeAgentConfig(credentials: Record<string, Record<string, string | string[]>>): string {
  // A value may be a list (`hosts: [...]`): each is written as JSON, which is YAML.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pk-e2e-config-'));
  const file = path.join(dir, 'config.yaml');
  const lines = ['agent:', '  credentials:'];
  for (const [name, fields] of Object.entries(credentials)) {
    lines.push(`    ${name}:`);
    for (const [key, value] of Object.entries(fields)) lines.push(`      ${key}: ${JSON.stringify(value)}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
