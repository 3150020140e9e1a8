/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { startGithubApi, type GithubApiStandIn, type GithubRelease } from '../../apps/agent/test/helpers/github-api.ts';
import { ROOT } from '../support/app-process.ts';
import { eventually } from '../support/stack.ts';

// The README's quickstart, run as written against `pnpm start` (scripts/start.ts): the only
// changes are the addresses — GitHub is a local stand-in (no internet here) and the receiver
// listens on a free port instead of 9000.

const run = promisify(execFile);

function release(tag: string, day: number): GithubRelease {
  const date = new Date(Date.UTC(2023, 0, 1) + day * 86_400_000).toISOString().replace('.000Z', 'Z');
  return { id: day, tag_name: tag, name: tag, draft: false, prerelease: false, created_at: date, published_at: date, html_url: `https://github.com/kubernetes/kubernetes/releases/tag/${tag}`, body: '' };
}

async function portsFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

async function freeBlock(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if (await portsFree(base, count)) return base;
  }
}

interface Started {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function startProcess(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--conditions=source', '--experimental-strip-types', '--no-warnings=ExperimentalWarning', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** The shell blocks between the quickstart markers of README.md. */
function quickstartBlocks(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- quickstart:begin -->'), readme.indexOf('<!-- quickstart:end -->'));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

let test: TestDatabase;
let github: GithubApiStandIn;
let stack: Started;
let receiver: Started;
let apiPort: number;
let receiverPort: number;
let adminKey: string;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pk-quickstart-'));

const startEnv = () => ({
  DATABASE_URL: test.url,
  API_PORT: String(apiPort),
  PLANEKEEPER_DATA_DIR: dataDir,
  TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '0.5',
  LOG_LEVEL: 'info',
});

beforeAll(async () => {
  test = await createTestDatabase();
  github = await startGithubApi();
  github.repos.set('kubernetes/kubernetes', [
    release('v1.31.1', 600), release('v1.31.0', 590), release('v1.30.0', 480), release('v1.29.0', 360),
    release('v1.28.1', 250), release('v1.28.0', 240), release('v1.27.0', 120),
  ]);
  apiPort = await freeBlock(4);
  receiverPort = await freeBlock(1);
  receiver = startProcess(['scripts/webhook-receiver.ts'], { PORT: String(receiverPort) });
  stack = startProcess(['scripts/start.ts'], startEnv());
  adminKey = await eventually('pnpm start to print the admin key and the URL', async () => {
    const text = stack.output.join('');
    const key = /Admin API key \(shown once, keep it\): (pk_\S+)/.exec(text)?.[1];
    return key && text.includes(`Planekeeper is running: http://localhost:${apiPort}`) ? key : undefined;
  }, 90_000);
});

afterAll(async () => {
  for (const started of [stack, receiver]) started?.child.kill('SIGINT');
  await Promise.all([stack?.exited, receiver?.exited]);
  await github?.close();
  await test?.destroy();
});

describe('README quickstart against pnpm start', () => {
  it('goes from nothing to an alert and a delivered webhook, then resolves it, as written', async () => {
    const blocks = quickstartBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const script = blocks
      .map((block) =>
        block
          .replace('http://localhost:8080/api/v1', `http://localhost:${apiPort}/api/v1`)
          .replace(/^export PK_KEY=.*$/m, `export PK_KEY=${adminKey}`)
          .replace('"repo":"kubernetes"}', `"repo":"kubernetes","baseUrl":"${github.url}"}`)
          .replace('http://127.0.0.1:9000/', `http://127.0.0.1:${receiverPort}/`),
      );
    const waitFor = (jqTest: string) =>
      `for i in $(seq 1 300); do pk "$PK_URL/alerts?alertConfigId=$CONFIG_ID" | jq -e '${jqTest}' >/dev/null && break; sleep 0.2; done`;
    // Steps 1-5, then (as a person would) wait for the alert, look at it (6), upgrade (7), wait again.
    const full = [
      'set -euo pipefail',
      ...script.slice(0, 6),
      waitFor('.items[0].status == "open"'),
      script[6]!,
      script[7]!,
      waitFor('.items[0].status == "resolved"'),
      'echo',
      'pk "$PK_URL/alerts?alertConfigId=$CONFIG_ID" | jq -c ".items[0] | {status, severity, deployedVersion, latestVersion, behindBy}"',
    ].join('\n');
    const { stdout } = await run('bash', ['-c', full], { cwd: ROOT, timeout: 90_000 });
    expect(stdout).toContain('"severity": "moderate"');
    const last = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(last).toEqual({ status: 'resolved', severity: 'moderate', deployedVersion: 'v1.31.1', latestVersion: 'v1.31.1', behindBy: 0 });
    await eventually('the receiver to print both webhooks', async () => {
      const printed = receiver.output.join('');
      return printed.includes('alert.created prod kubernetes: moderate deployed v1.28.0 latest v1.31.1 (behind by 3)') && printed.includes('alert.resolved') ? true : undefined;
    });
  });

  it('stops everything on Ctrl-C and keeps the data for the next start', async () => {
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    stack = startProcess(['scripts/start.ts'], startEnv());
    await eventually('the second start', async () => (stack.output.join('').includes('Planekeeper is running') ? true : undefined), 90_000);
    const text = stack.output.join('');
    expect(text).not.toMatch(/Admin API key \(shown once/);
    const rules = await fetch(`http://127.0.0.1:${apiPort}/api/v1/rules`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(((await rules.json()) as any).items.map((r: any) => r.name)).toEqual(['minor lag']);
    const agents = await eventually('the local agent to be back', async () => {
      const answer = await fetch(`http://127.0.0.1:${apiPort}/api/v1/agents`, { headers: { authorization: `Bearer ${adminKey}` } });
      const items = ((await answer.json()) as any).items as any[];
      return items.length === 1 && items[0].online ? items : undefined;
    });
    expect(agents[0].name).toBe('local-agent');
  });
});
