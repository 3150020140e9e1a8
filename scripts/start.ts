// `pnpm start`: the whole Planekeeper stack on one machine, for trying it out and for development.
// With no DATABASE_URL it runs an embedded Postgres kept under .data/ (a second start keeps the
// data); it migrates, makes sure the default organization and a key for the local agent exist,
// then runs api, taskengine, rules-engine, notifier and a local agent as separate processes with
// prefixed logs. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, migrateToLatest, resolveDatabaseUrl } from '@planekeeper/db';
import { ensureLocalAgentKey, ensureOrganization } from './local-keys.ts';
import { formatLogLine } from './log-lines.ts';
import { ensureUiBuilt } from './ui-build.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// PLANEKEEPER_DATA_DIR moves .data/ (the embedded Postgres, the local agent's key and git cache).
const DATA_DIR = path.resolve(process.env.PLANEKEEPER_DATA_DIR || path.join(ROOT, '.data'));

function setting(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

const apiPort = Number(setting('API_PORT', '8080'));
if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65_530) {
  console.error(`API_PORT: expected a port number, got ${JSON.stringify(process.env.API_PORT)}`);
  process.exit(1);
}
const localAgent = !/^(false|0|no)$/i.test(setting('PLANEKEEPER_LOCAL_AGENT', 'true'));
const logLevel = setting('LOG_LEVEL', 'info');
const rawLogs = /^(true|1|yes)$/i.test(setting('PLANEKEEPER_RAW_LOGS', 'false'));

const children = new Map<string, ChildProcess>();
let stopping = false;
let stopDatabase: () => Promise<void> = async () => undefined;

/** Node flags to run TypeScript sources directly (type stripping is built in from Node 23.6). */
function nodeFlags(): string[] {
  const features = process.features as { typescript?: string | false };
  return ['--conditions=source', ...(features.typescript ? [] : ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'])];
}

function run(name: string, entry: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, [...nodeFlags(), entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
  const label = name.padEnd(12);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`${label}| ${rawLogs ? line : formatLogLine(line)}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    console.error(`${label}| exited (${signal ?? `code ${code}`}); stopping the stack`);
    void shutdown(1);
  });
}

async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  const exits = [...children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children.values()) child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 20_000);
  await Promise.all(exits);
  clearTimeout(killer);
  await stopDatabase().catch((error: unknown) => console.error('could not stop the embedded Postgres:', error));
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

await mkdir(DATA_DIR, { recursive: true });
const target = await resolveDatabaseUrl({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: DATA_DIR });
stopDatabase = target.stop;
console.log(target.embedded || !process.env.DATABASE_URL ? `database: embedded Postgres in ${path.relative(ROOT, DATA_DIR)}/postgres` : 'database: DATABASE_URL');
const database = createDatabase(target.url, { max: 2, applicationName: 'planekeeper-start' });
let adminKey: string | undefined;
let agentKey: string | undefined;
try {
  const applied = await migrateToLatest(database.db);
  if (applied.length) console.log(`applied ${applied.length} migration(s)`);
  adminKey = (await ensureOrganization(database.db)).generatedAdminKey;
  if (localAgent) agentKey = await ensureLocalAgentKey(database.db, DATA_DIR);
} finally {
  await database.close();
}

// The api serves the web UI's build at /ui/: build it first when it is missing or older than its sources.
try {
  ensureUiBuilt();
} catch (error) {
  console.error('could not build the web UI (the API works without it):', error instanceof Error ? error.message : error);
}

const common = { DATABASE_URL: target.url, LOG_LEVEL: logLevel };
// The api's /metrics is on an ops port of its own, next after the four services' ports.
run('api', 'apps/api/src/main.ts', { ...common, PORT: String(apiPort), API_OPS_PORT: String(apiPort + 4), API_SKIP_MIGRATIONS: 'true', PUBLIC_URL: setting('PUBLIC_URL', `http://localhost:${apiPort}`) });
run('taskengine', 'apps/taskengine/src/main.ts', { ...common, PORT: String(apiPort + 1) });
run('rules-engine', 'apps/rules-engine/src/main.ts', { ...common, PORT: String(apiPort + 2) });
// Locally, webhooks usually go to a receiver on this machine: allow private targets unless told not to.
run('notifier', 'apps/notifier/src/main.ts', {
  ...common,
  PORT: String(apiPort + 3),
  NOTIFIER_ALLOW_PRIVATE_TARGETS: setting('NOTIFIER_ALLOW_PRIVATE_TARGETS', 'true'),
  PUBLIC_URL: setting('PUBLIC_URL', `http://localhost:${apiPort}`),
});

const apiUrl = `http://localhost:${apiPort}`;
if (!(await waitForReady(`http://127.0.0.1:${apiPort}/readyz`, 60_000))) {
  console.error('the api did not become ready within 60 s');
  await shutdown(1);
}
if (agentKey) {
  const agentConfig = path.join(DATA_DIR, 'agent-config.yaml');
  run('agent', 'apps/agent/src/main.ts', {
    AGENT_SERVER_URL: `http://127.0.0.1:${apiPort}/api/v1/agent`,
    AGENT_API_KEY: agentKey,
    AGENT_NAME: 'local-agent',
    AGENT_CACHE_DIR: path.join(DATA_DIR, 'agent-cache'),
    LOG_LEVEL: logLevel,
    ...(existsSync(agentConfig) ? { AGENT_CONFIG: agentConfig } : {}),
  });
}

const lines = [
  '',
  `Planekeeper is running: ${apiUrl}`,
  `  Web UI: ${apiUrl}/ui/ (log in with the admin key below)`,
  `  API reference: ${apiUrl}/api/v1/openapi.json`,
  adminKey
    ? `  Admin API key (shown once, keep it): ${adminKey}`
    : '  Admin API key: printed at the first start (or use PLANEKEEPER_BOOTSTRAP_ADMIN_KEY / POST /api/v1/api-keys)',
  localAgent ? '  A local agent runs gather and scrape tasks on this machine.' : '  No local agent (PLANEKEEPER_LOCAL_AGENT=false).',
  '  Ctrl-C stops everything; the data stays in .data/.',
  '',
];
console.log(lines.join('\n'));
