/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, type Database } from '@planekeeper/db';
import { createTestDatabase } from '@planekeeper/db/testing';
import type { Kysely } from 'kysely';
import { startApp, type RunningApp } from './app-process.ts';

export const BOOTSTRAP_KEY = 'pk_e2e_bootstrap_admin_key_0123456789';

/** The services of the stack (agents are started one by one, under a name each). */
export const SERVICES = ['api', 'taskengine', 'rules-engine', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Every line each process wrote (JSON logs), by service or agent name, to look for secrets and to explain failures. */
export type LogBook = Map<string, string[]>;

/** Intervals shortened for tests, loopback receivers allowed, no rate limit. */
const FAST: Record<string, string> = {
  LOG_LEVEL: 'debug',
  TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '0.2',
  TASKENGINE_ORPHAN_CHECK_SECONDS: '1',
  NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true',
  NOTIFIER_RETRY_BASE_SECONDS: '0.2',
  API_RATE_LIMIT_PER_MINUTE: '0',
  API_UNAUTHENTICATED_RATE_LIMIT_PER_MINUTE: '0',
};

/** The whole stack, every service a real process; agents are started by the test. */
export interface Stack {
  /** The stack's database. */
  url: string;
  /** A kysely pool on it, for the checks a skeptical operator would run in psql. */
  db: Kysely<Database>;
  apps: Map<string, RunningApp>;
  logs: LogBook;
  api(): RunningApp;
  /** Where a service's Prometheus /metrics answers (the one place that knows the port). */
  metricsUrl(name: ServiceName): string;
  /** A JSON client with the bootstrap admin key (or another key). */
  call: (method: string, route: string, body?: unknown, key?: string) => Promise<{ status: number; body: any }>;
  /** Starts a service again (after a kill or a stop) with the same settings. */
  start(name: ServiceName): Promise<RunningApp>;
  /** SIGKILL: no graceful shutdown, no final report, connections dropped mid-transaction. */
  kill(name: string): Promise<void>;
  /** Starts an agent under `name`; with an empty `env`, again with the settings it had. */
  startAgent(name: string, env: Record<string, string>): Promise<RunningApp>;
  organizationId(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts api, taskengine, rules-engine and notifier as real processes, on a fresh test database
 * or on `databaseUrl` (a Postgres the test owns, and restarts), with intervals shortened for
 * tests; `env` goes to every service, `envFor` to one.
 */
export async function startStack(options: {
  databaseUrl?: string;
  env?: Record<string, string>;
  envFor?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Processes of each service (default 1): the others are in `apps` as `api#2`, `notifier#2`, ... on the same database. */
  replicas?: number;
} = {}): Promise<Stack> {
  const owned = options.databaseUrl ? null : await createTestDatabase();
  const url = options.databaseUrl ?? owned!.url;
  const handle = owned ? null : createDatabase(url, { max: 4 });
  const db = owned?.db ?? handle!.db;
  const logs: LogBook = new Map();
  const apps = new Map<string, RunningApp>();
  const agentEnv = new Map<string, Record<string, string>>();

  const launch = async (key: string, app: string, env: Record<string, string>) => {
    const lines = logs.get(key) ?? [];
    logs.set(key, lines);
    const running = await startApp(app, env, { onLine: (line) => lines.push(line), ...(app === 'agent' ? { readyPath: null } : {}) });
    apps.set(key, running);
    return running;
  };
  const serviceEnv = (name: ServiceName, key: string = name): Record<string, string> => ({
    ...FAST,
    DATABASE_URL: url,
    PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY,
    // Notifications link back to the api.
    ...(name === 'notifier' && apps.get('api') ? { PUBLIC_URL: apps.get('api')!.url } : {}),
    ...options.env,
    ...options.envFor?.[name],
    // The api keeps its ports across restarts: agents and the test know it by URL (its replicas get their own).
    ...(key === 'api' && apps.get('api') ? { PORT: String(apps.get('api')!.port), API_OPS_PORT: new URL(apps.get('api')!.opsUrl).port } : {}),
  });
  const start = (name: ServiceName) => launch(name, name, serviceEnv(name));
  const replicaKeys = (name: ServiceName) => Array.from({ length: Math.max(0, (options.replicas ?? 1) - 1) }, (_, i) => `${name}#${i + 2}`);
  const startReplicas = (name: ServiceName) => Promise.all(replicaKeys(name).map((key) => launch(key, name, serviceEnv(name, key))));

  const stop = async () => {
    await Promise.all([...apps.values()].map((app) => app.stop()));
    if (owned) await owned.destroy();
    else await handle!.close();
  };
  // A service that fails to start fails the stack, and leaves none of the others running.
  try {
    await start('api');
    const others = await Promise.allSettled([
      startReplicas('api'),
      ...(['taskengine', 'rules-engine', 'notifier'] as const).flatMap((name) => [start(name), startReplicas(name)]),
    ]);
    const failed = others.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stop();
    throw error;
  }

  const call = async (method: string, route: string, body?: unknown, key = BOOTSTRAP_KEY) => {
    const response = await fetch(`${apps.get('api')!.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  return {
    url,
    db,
    apps,
    logs,
    api: () => apps.get('api')!,
    metricsUrl: (name) => `${apps.get(name)!.opsUrl}/metrics`,
    call,
    start,
    async kill(name) {
      await apps.get(name)?.kill();
    },
    async startAgent(name, env) {
      const previous = agentEnv.get(name);
      const settings = previous && Object.keys(env).length === 0 ? previous : {
        AGENT_SERVER_URL: `${apps.get('api')!.url}/api/v1/agent`,
        AGENT_NAME: name,
        AGENT_POLL_INTERVAL: '1',
        AGENT_CACHE_DIR: mkdtempSync(path.join(os.tmpdir(), 'pk-stack-agent-')),
        ...env,
      };
      agentEnv.set(name, settings);
      return launch(name, 'agent', settings);
    },
    async organizationId() {
      const row = await db.selectFrom('organizations').select('id').orderBy('created_at').executeTakeFirstOrThrow();
      return row.id;
    },
    stop,
  };
}

/** Every log line of `key` that parses as JSON and has `msg` (pino's message field). */
export function logLines(logs: LogBook, key: string, msg: string | RegExp): any[] {
  return (logs.get(key) ?? []).flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      return (typeof msg === 'string' ? parsed.msg === msg : msg.test(String(parsed.msg))) ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** Polls GET `${url}/readyz` until 200 or the deadline; returns the milliseconds it took. */
export async function waitReady(url: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${url}/readyz not 200 after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
