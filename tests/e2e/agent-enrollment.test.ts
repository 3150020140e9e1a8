/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGithubApi, makeReleases, type GithubApiStandIn } from '../../apps/agent/test/helpers/github-api.ts';
import { startSelfSignedServer, type SelfSignedServer } from '../../apps/agent/test/helpers/tls-server.ts';
import type { RunningApp } from '../support/app-process.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';

// Enrollment end to end, every part a real process: an agent given only the server's URL and a
// fresh one-use token enrolls, keeps its key, restarts without the token and keeps working; every
// bad token stops an agent with one line and creates nothing; probes and the effective config.

let stack: Stack;
let github: GithubApiStandIn;
let tls: SelfSignedServer;
const secrets: string[] = [];

beforeAll(async () => {
  github = await startGithubApi();
  github.repos.set('acme/widget', makeReleases('acme', 'widget', 3));
  tls = await startSelfSignedServer('probe-target.test');
  stack = await startStack({ env: { LOG_LEVEL: 'info', AGENT_POLL_INTERVAL_SECONDS: '1' }, envFor: { api: { API_ENROLL_RATE_LIMIT_PER_MINUTE: '0' } } });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await github?.close();
  await tls?.close();
});

const stateDir = () => mkdtempSync(path.join(os.tmpdir(), 'pk-agent-state-'));

async function makeToken(body: Record<string, unknown> = {}, key?: string): Promise<{ id: string; token: string }> {
  const answer = await stack.call('POST', '/api/v1/agent-enrollment-tokens', { name: 'e2e', maxUses: 1, expiresInSeconds: 3600, ...body }, key);
  expect(answer.status).toBe(201);
  secrets.push(answer.body.token);
  return answer.body;
}

async function agentNamed(name: string, key?: string): Promise<any> {
  const list = await stack.call('GET', '/api/v1/agents?limit=500', undefined, key);
  return list.body.items.find((a: any) => a.name === name);
}

/** Waits for the process to end; answers its exit code and the lines it wrote that are not JSON logs. */
async function exitOf(name: string, app: RunningApp): Promise<{ code: number | null; plain: string[] }> {
  if (app.child.exitCode === null && app.child.signalCode === null) await new Promise((resolve) => app.child.once('exit', resolve));
  await new Promise((resolve) => (app.child.stderr?.readableEnded ? resolve(undefined) : app.child.stderr?.once('end', resolve)));
  const plain = (stack.logs.get(name) ?? []).filter((line) => line.trim() !== '' && !line.startsWith('{'));
  return { code: app.child.exitCode, plain };
}

async function created() {
  const agents = await stack.db.selectFrom('agents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const keys = await stack.db.selectFrom('api_keys').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { agents: Number(agents.n), keys: Number(keys.n) };
}

let enrolledId: string;
let enrolledState: string;
let firstToken: string;

describe('an agent with only a server URL and a one-use token', () => {
  it('enrolls, stores its key (0600) and completes a task', async () => {
    // A token for gather agents: the agent declares only what it allows.
    const { token } = await makeToken({ capabilities: ['gather'] });
    firstToken = token;
    enrolledState = stateDir();
    await stack.startAgent('site-west-1', { AGENT_ENROLLMENT_TOKEN: token, AGENT_STATE_DIR: enrolledState, AGENT_PROBE_ALLOW: 'localhost' });
    const agent = await eventually('the enrolled agent online', async () => {
      const found = await agentNamed('site-west-1');
      return found?.online ? found : undefined;
    });
    enrolledId = agent.id;
    // The agent row comes with the enrollment's answer; the key file right after it.
    const mode = await eventually('the stored key', async () => (existsSync(path.join(enrolledState, 'agent-key.json')) ? statSync(path.join(enrolledState, 'agent-key.json')).mode & 0o777 : undefined));
    expect(mode).toBe(0o600);
    const tokens = await stack.call('GET', '/api/v1/agent-enrollment-tokens');
    expect(tokens.body.items.find((t: any) => t.tokenPrefix === token.slice(0, 13))).toMatchObject({ uses: 1, maxUses: 1 });

    const job = await stack.call('POST', '/api/v1/gather-jobs', { name: 'widget', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url }, schedule: '0 */6 * * *' });
    expect(job.status).toBe(201);
    await eventually('a task done by the enrolled agent', async () => {
      const row = await stack.db.selectFrom('tasks').selectAll().where('job_id', '=', job.body.id).where('status', '=', 'succeeded').executeTakeFirst();
      return row?.claimed_by === enrolledId ? row : undefined;
    });
  }, 60_000);

  it('restarts without the token, under the same identity, and keeps working', async () => {
    await stack.apps.get('site-west-1')!.stop();
    const restartedAt = new Date();
    // No token, no key: only the server URL and the state directory the first start wrote.
    await stack.startAgent('site-west-1', { AGENT_STATE_DIR: enrolledState, AGENT_PROBE_ALLOW: 'localhost' });
    const job = await stack.call('POST', '/api/v1/gather-jobs', { name: 'widget again', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url }, schedule: '0 */6 * * *' });
    await eventually('a task done after the restart', async () => {
      const row = await stack.db.selectFrom('tasks').selectAll().where('job_id', '=', job.body.id).where('status', '=', 'succeeded').executeTakeFirst();
      return row?.claimed_by === enrolledId ? row : undefined;
    });
    const agents = (await stack.call('GET', '/api/v1/agents?limit=500')).body.items.filter((a: any) => a.name === 'site-west-1');
    expect(agents).toHaveLength(1);
    expect(agents[0].capabilities).toEqual(['gather']);
    expect(Date.parse(agents[0].lastHeartbeatAt)).toBeGreaterThanOrEqual(restartedAt.getTime() - 1000);
  }, 60_000);

  it('a second agent with the same token exits non-zero with one clear line, and nothing is created', async () => {
    const before = await created();
    const second = await exitOf('site-west-2', await stack.startAgent('site-west-2', { AGENT_ENROLLMENT_TOKEN: firstToken, AGENT_STATE_DIR: stateDir() }));
    expect(second.code).toBe(1);
    expect(second.plain).toEqual([expect.stringMatching(/^agent: AGENT_ENROLLMENT_TOKEN refused by the server \(403\): the enrollment token "e2e" has been used up \(1 of 1 uses\)$/)]);
    expect(await created()).toEqual(before);
  }, 60_000);
});

describe('bad tokens', () => {
  it('a wrong, expired or revoked token stops the agent with one line each, creating nothing', async () => {
    const expired = await makeToken();
    await stack.db.updateTable('agent_enrollment_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', expired.id).execute();
    const revoked = await makeToken();
    expect((await stack.call('DELETE', `/api/v1/agent-enrollment-tokens/${revoked.id}`)).status).toBe(204);
    const wrong = `pket_${'x'.repeat(43)}`;
    const before = await created();
    const cases = [
      ['bad-wrong', wrong, /refused by the server \(401\): the enrollment token is not valid/],
      ['bad-expired', expired.token, /refused by the server \(403\): the enrollment token "e2e" expired at /],
      ['bad-revoked', revoked.token, /refused by the server \(403\): the enrollment token "e2e" has been revoked$/],
    ] as const;
    const exits = await Promise.all(cases.map(async ([name, token]) => exitOf(name, await stack.startAgent(name, { AGENT_ENROLLMENT_TOKEN: token, AGENT_STATE_DIR: stateDir() }))));
    cases.forEach(([name, , line], i) => {
      expect({ name, code: exits[i]!.code, lines: exits[i]!.plain.length }).toEqual({ name, code: 1, lines: 1 });
      expect(exits[i]!.plain[0]).toMatch(line);
    });
    expect(await created()).toEqual(before);
  }, 60_000);

  it("a token of another organization enrolls there, out of this organization's sight and reach", async () => {
    const org = await stack.call('POST', '/api/v1/organizations', { name: 'Globex' });
    expect(org.status).toBe(201);
    const theirKey = org.body.adminKey.key as string;
    const theirs = await makeToken({}, theirKey);
    expect((await stack.call('DELETE', `/api/v1/agent-enrollment-tokens/${theirs.id}`)).status).toBe(404);
    await stack.startAgent('globex-1', { AGENT_ENROLLMENT_TOKEN: theirs.token, AGENT_STATE_DIR: stateDir() });
    const agent = await eventually('the Globex agent', () => agentNamed('globex-1', theirKey));
    expect(await agentNamed('globex-1')).toBeUndefined();
    expect((await stack.call('GET', `/api/v1/agents/${agent.id}`)).status).toBe(404);
    await stack.apps.get('globex-1')!.stop();
  }, 60_000);

  it('of 10 agents racing for one use, exactly one enrolls', async () => {
    const { token } = await makeToken();
    const before = await created();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${stack.api().url}/api/v1/agent/enroll`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: `racer-${i}` }) }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 403, 403, 403, 403, 403, 403, 403, 403, 403]);
    const winner = (await answers.find((a) => a.status === 201)!.json()) as { key: string };
    secrets.push(winner.key);
    expect(await created()).toEqual({ agents: before.agents + 1, keys: before.keys + 1 });
  });
});

describe('diagnostics of the enrolled agent', () => {
  const probe = async (target: Record<string, unknown>) => {
    const asked = await stack.call('POST', `/api/v1/agents/${enrolledId}/probes`, target);
    expect(asked.status).toBe(202);
    return eventually('the probe report', async () => {
      const answer = await stack.call('GET', `/api/v1/agents/${enrolledId}/probes/${asked.body.id}`);
      return ['pending', 'sent'].includes(answer.body.status) ? undefined : answer.body;
    });
  };

  it('probes an allowed https server: each step, the address reached, the certificate and its expiry', async () => {
    const report = await probe({ url: `https://localhost:${tls.port}/health` });
    expect(report.status).toBe('succeeded');
    expect(report.report.steps.map((s: any) => [s.step, s.ok])).toEqual([['resolve', true], ['connect', true], ['tls', true]]);
    expect(report.report.address).toMatch(new RegExp(`:${tls.port}$`));
    expect(report.report.certificate).toMatchObject({ subject: expect.stringContaining('CN=probe-target.test'), trusted: false });
    expect(Math.abs(Date.parse(report.report.certificate.validTo) - tls.validTo.getTime())).toBeLessThan(1000);
  }, 30_000);

  it('refuses a target outside its configuration, and says so', async () => {
    const report = await probe({ host: '10.255.255.1', port: 22 });
    expect(report).toMatchObject({ status: 'refused', report: { outcome: 'refused', steps: [], error: "refused: not allowed by this agent's configuration" } });
  }, 30_000);

  it('shows its effective configuration with no secret in it', async () => {
    const view = await eventually('the effective config', async () => {
      const answer = await stack.call('GET', `/api/v1/agents/${enrolledId}/diagnostics`);
      return answer.body.effectiveConfig ? answer.body : undefined;
    });
    expect(view.effectiveConfig).toMatchObject({ AGENT_NAME: 'site-west-1', AGENT_STATE_DIR: enrolledState, AGENT_PROBE_ALLOW: ['localhost'], AGENT_API_KEY: null, key: expect.stringContaining('enrolled') });
    const text = JSON.stringify(view);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/pk_[A-Za-z0-9_-]{20,}/);
  }, 30_000);

  it('never logged a token or a key, in any process', () => {
    const everything = [...stack.logs.values()].flat().join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
