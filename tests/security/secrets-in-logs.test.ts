/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashApiKey } from '@planekeeper/db';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { createTestRepository } from '../../apps/agent/test/helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from '../../apps/agent/test/helpers/git-http-server.ts';
import { startGithubApi, type GithubApiStandIn } from '../../apps/agent/test/helpers/github-api.ts';
import { closedPort } from '../../apps/agent/test/helpers/http-server.ts';
import { startTokenRegistry, type TokenRegistryStandIn } from '../../apps/agent/test/helpers/oci-token-registry.ts';
import { makeSshKey, startSshd, type TestSshd } from '../../apps/agent/test/helpers/sshd.ts';
import { startApp, type RunningApp } from '../support/app-process.ts';
import { eventually, writeAgentConfig } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { caller, type Call } from './tenants.ts';

// The whole stack at LOG_LEVEL=debug through a representative workload (keys of every role, a
// revoked and a mistyped key, channels of every type with secrets, an agent with every kind of
// credential, successes, failures, retries, dead letters, a replay), then every line every
// process wrote, stdout and stderr, is searched for every secret the test created.

const unique = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Every secret, by what it is. Filled as the workload creates them. */
const secrets: Record<string, string> = {};
/** Every line every process wrote, stdout and stderr, in order. */
const lines: Array<{ app: string; stream: 'stdout' | 'stderr'; line: string }> = [];
/** Every API answer after the one that created an object, to check they never show a secret. */
const laterAnswers: { route: string; body: any }[] = [];
const apps: RunningApp[] = [];
const root = mkdtempSync(path.join(os.tmpdir(), 'pk-secrets-'));

let test: TestDatabase;
let api: RunningApp;
let call: Call;
let admin: string;
let ok: WebhookReceiver;
let failing: WebhookReceiver;
let gone: WebhookReceiver;
let github: GithubApiStandIn;
let git: GitHttpServer;
let registry: TokenRegistryStandIn;
let sshd: TestSshd;
const channelIds: Record<string, string> = {};
const jobs: { resource: string; id: string; expect: 'succeeded' | 'failed' }[] = [];

/** Starts an app keeping every line it writes, and remembers it to stop it (whatever else fails to start). */
async function startLoggedApp(name: string, env: Record<string, string>, readyPath: string | null = '/readyz'): Promise<RunningApp> {
  const app = await startApp(name, env, { readyPath, onLine: (line, stream) => lines.push({ app: name, stream, line }) });
  apps.push(app);
  return app;
}

/** The lines that contain any of `secrets`, with which one, for a failure message. */
function linesWithSecrets(): { secret: string; app: string; stream: string; line: string }[] {
  return lines.flatMap((entry) =>
    Object.entries(secrets).filter(([, value]) => entry.line.includes(value)).map(([label]) => ({ secret: label, app: entry.app, stream: entry.stream, line: entry.line.slice(0, 400) })),
  );
}

function secret(label: string, value: string): string {
  secrets[label] = value;
  return value;
}

async function as(key: string, method: string, route: string, body?: unknown): Promise<any> {
  const answer = await call(method, route, body, key);
  if (answer.status >= 300) throw new Error(`${method} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

beforeAll(async () => {
  const bootstrap = secret('bootstrap key', unique('pk_bootstrap_'));
  const gitToken = secret('git token', unique('ghp_git_'));
  secret('git token as basic auth', base64(`x-access-token:${gitToken}`));
  secret('wrong git token', unique('ghp_wrong_'));
  secret('GITHUB_TOKEN', unique('ghp_env_'));
  const passphrase = secret('ssh passphrase', unique('ssh passphrase '));
  secret('wrong ssh passphrase', unique('wrong passphrase '));
  const key = makeSshKey(root, 'deploy_key', passphrase);
  secret('ssh private key', key.privateKey.split('\n')[2] as string);

  [ok, failing, gone] = await Promise.all([startWebhookReceiver(), startWebhookReceiver(), startWebhookReceiver()]);
  failing.respond = () => ({ status: 500 });
  gone.respond = () => ({ status: 410 });
  github = await startGithubApi();
  github.repos.set('acme/widget', [
    { id: 3, tag_name: 'v1.5.0', name: 'v1.5.0', draft: false, prerelease: false, created_at: '2024-05-01T00:00:00Z', published_at: '2024-05-01T00:00:00Z', html_url: 'https://example.com/3', body: '' },
    { id: 2, tag_name: 'v1.2.0', name: 'v1.2.0', draft: false, prerelease: false, created_at: '2024-02-01T00:00:00Z', published_at: '2024-02-01T00:00:00Z', html_url: 'https://example.com/2', body: '' },
  ]);
  const repo = createTestRepository(path.join(root, 'served', 'deploy'));
  repo.commit({ 'values.yaml': 'image:\n  tag: "1.2.0"\n' });
  git = await startGitHttpServer(path.join(root, 'served'), gitToken);
  registry = await startTokenRegistry();
  registry.credentials.password = secret('registry password', unique('registry-password-'));
  secret('registry password as basic auth', base64(`${registry.credentials.username}:${registry.credentials.password}`));
  secret('wrong registry password', unique('registry-wrong-'));
  registry.repositories.set('acme/private', { tags: ['2.0.0', '2.1.0'], private: true });
  sshd = await startSshd(path.join(root, 'sshd'), [key.publicKey]);

  test = await createTestDatabase();
  const env = {
    DATABASE_URL: test.url, LOG_LEVEL: 'debug', PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: bootstrap, API_RATE_LIMIT_PER_MINUTE: '0',
    TASKENGINE_SCHEDULE_INTERVAL_SECONDS: '0.2', NOTIFIER_ALLOW_PRIVATE_TARGETS: 'true', NOTIFIER_RETRY_BASE_SECONDS: '0.2', NOTIFIER_RETRY_LIMIT: '1',
    NOTIFIER_POLL_INTERVAL_SECONDS: '0.5',
  };
  api = await startLoggedApp('api', env);
  call = caller(api.url);
  // Settled all before failing, so afterAll stops every one that did start.
  const started = await Promise.allSettled(['taskengine', 'rules-engine', 'notifier'].map((name) => startLoggedApp(name, { ...env, PUBLIC_URL: api.url })));
  for (const result of started) if (result.status === 'rejected') throw result.reason;

  const created = await as(bootstrap, 'POST', '/api/v1/organizations', { name: 'secret keepers' });
  admin = secret('admin key', created.adminKey.key);
  const agentKey = secret('agent key', (await as(admin, 'POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).key);
  const gitHosts = [new URL(git.url).host];
  const sshHosts = [`127.0.0.1:${sshd.port}`];
  const registryHosts = [new URL(registry.url).host];
  const agentConfig = writeAgentConfig({
    'deploy-repo': { type: 'https_pat', token: gitToken, hosts: gitHosts },
    'wrong-repo': { type: 'https_pat', token: secrets['wrong git token'] as string, hosts: gitHosts },
    'deploy-ssh': { type: 'ssh_key', private_key: key.privateKey, passphrase, hosts: sshHosts },
    'wrong-ssh': { type: 'ssh_key', private_key: key.privateKey, passphrase: secrets['wrong ssh passphrase'] as string, hosts: sshHosts },
    registry: { type: 'registry_basic', username: registry.credentials.username, password: registry.credentials.password, hosts: registryHosts },
    'wrong-registry': { type: 'registry_basic', username: registry.credentials.username, password: secrets['wrong registry password'] as string, hosts: registryHosts },
  });
  await startLoggedApp('agent', {
    ...env, GITHUB_TOKEN_HOSTS: new URL(github.url).host, AGENT_SERVER_URL: `${api.url}/api/v1/agent`, AGENT_API_KEY: agentKey, AGENT_NAME: 'secret-agent', AGENT_POLL_INTERVAL: '1',
    AGENT_CACHE_DIR: path.join(root, 'cache'), AGENT_CONFIG: agentConfig, GITHUB_TOKEN: secrets.GITHUB_TOKEN as string,
  }, null);
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await test?.destroy();
  await Promise.all([ok, failing, gone, github, git, registry].map((server) => server?.close()));
  await sshd?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('secrets in a whole-stack run at LOG_LEVEL=debug', () => {
  it('runs the workload: keys, bad keys, channels, deliveries, an agent with every credential kind', async () => {
    // Keys of every role; a revoked key, a mistyped one and garbage, by both headers.
    const member = secret('member key', (await as(admin, 'POST', '/api/v1/api-keys', { name: 'member', role: 'member' })).key);
    const viewer = secret('viewer key', (await as(admin, 'POST', '/api/v1/api-keys', { name: 'viewer', role: 'viewer' })).key);
    const revoked = await as(admin, 'POST', '/api/v1/api-keys', { name: 'leaver', role: 'admin' });
    secret('revoked key', revoked.key);
    await as(admin, 'DELETE', `/api/v1/api-keys/${revoked.id}`);
    expect((await call('GET', '/api/v1/rules', undefined, revoked.key)).status).toBe(401);
    const mistyped = secret('mistyped admin key', `${admin.slice(0, -4)}${admin.slice(-4).split('').reverse().join('')}`);
    expect((await call('GET', '/api/v1/rules', undefined, mistyped)).status).toBe(401);
    expect((await fetch(`${api.url}/api/v1/rules`, { headers: { 'x-api-key': member } })).status).toBe(200);
    expect((await fetch(`${api.url}/api/v1/rules`, { headers: { authorization: `Bearer ${secret('garbage key', unique('pk_garbage_'))}` } })).status).toBe(401);
    expect((await call('POST', '/api/v1/rules', { name: 'x' }, viewer)).status).toBe(403);

    // Channels of every type, their secrets in URL paths, user info and signing secrets.
    const secretPath = (label: string) => secret(`${label} URL path`, unique(`/${label}-`));
    const given = secret('given signing secret', `whsec_${randomBytes(32).toString('base64')}`);
    const channels: [string, Record<string, unknown>][] = [
      ['webhook', { type: 'webhook', url: `${ok.url}${secretPath('webhook')}`, secret: given }],
      ['generated', { type: 'webhook', url: `${ok.url}${secretPath('generated')}` }],
      ['slack', { type: 'slack', url: `${ok.url}/services/T0/B0${secretPath('slack')}` }],
      ['discord', { type: 'discord', url: `${ok.url}/api/webhooks/1${secretPath('discord')}` }],
      ['teams', { type: 'teams', url: `${ok.url}${secretPath('teams')}` }],
      ['failing', { type: 'webhook', url: `${failing.url}${secretPath('failing')}` }],
      ['gone', { type: 'webhook', url: `${gone.url}${secretPath('gone')}` }],
      ['down', { type: 'webhook', url: `http://127.0.0.1:${await closedPort()}${secretPath('down')}` }],
    ];
    for (const [name, body] of channels) {
      const channel = await as(member, 'POST', '/api/v1/notification-channels', { name, ...body });
      secret(`${name} URL`, body.url as string);
      if (channel.secret) secret(`${name} signing secret`, channel.secret);
      channelIds[name] = channel.id;
    }
    // User info in a URL is refused now; a channel stored before that still holds it.
    const withPassword = (channels[7]![1].url as string).replace('http://', `http://hook-user:${secret('URL password', unique('pw'))}@`);
    await test.db.updateTable('notification_channels').set({ url: secret('down URL with its password', withPassword) }).where('id', '=', channelIds.down!).execute();
    const rotated = secret('rotated signing secret', `whsec_${randomBytes(32).toString('base64')}`);
    secret('rotated signing key bytes', Buffer.from(rotated.slice(6), 'base64').toString('hex'));
    await as(admin, 'PATCH', `/api/v1/notification-channels/${channelIds.webhook}`, { url: secret('rotated URL', `${ok.url}${secretPath('rotated')}`), secret: rotated });
    for (const id of Object.values(channelIds)) await as(admin, 'POST', `/api/v1/notification-channels/${id}/test`);
    await as(admin, 'POST', '/api/v1/notification-rules', { name: 'all', channelId: channelIds.webhook, events: ['created', 'resolved'], severities: ['moderate', 'high', 'critical'] });
    await as(admin, 'POST', '/api/v1/notification-rules', { name: 'slack', channelId: channelIds.slack, events: ['created'], severities: ['moderate', 'high', 'critical'] });

    // Jobs that use every credential, each once right and once wrong.
    const schedule = '0 0 1 1 *';
    const job = async (resource: string, body: Record<string, unknown>, expected: 'succeeded' | 'failed') => {
      const created = await as(admin, 'POST', `/api/v1/${resource}`, { schedule, ...body });
      jobs.push({ resource, id: created.id, expect: expected });
      return created.id as string;
    };
    const gatherId = await job('gather-jobs', { name: 'widget', sourceType: 'github_release', source: { owner: 'acme', repo: 'widget', baseUrl: github.url } }, 'succeeded');
    await job('gather-jobs', { name: 'missing', sourceType: 'github_release', source: { owner: 'acme', repo: 'missing', baseUrl: github.url } }, 'failed');
    await job('gather-jobs', { name: 'private', sourceType: 'oci_registry', source: { registryUrl: registry.url, repository: 'acme/private' }, credentialName: 'registry' }, 'succeeded');
    await job('gather-jobs', { name: 'private wrong', sourceType: 'oci_registry', source: { registryUrl: registry.url, repository: 'acme/private' }, credentialName: 'wrong-registry' }, 'failed');
    const scrapeId = await job('scrape-jobs', { name: 'deployed', repoUrl: `${git.url}/deploy`, ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', credentialName: 'deploy-repo' }, 'succeeded');
    await job('scrape-jobs', { name: 'deployed wrong', repoUrl: `${git.url}/deploy`, ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', credentialName: 'wrong-repo' }, 'failed');
    await job('scrape-jobs', { name: 'over ssh', repoUrl: sshd.urlFor(path.join(root, 'served', 'deploy')), ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', credentialName: 'deploy-ssh' }, 'succeeded');
    await job('scrape-jobs', { name: 'over ssh wrong', repoUrl: sshd.urlFor(path.join(root, 'served', 'deploy')), ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', credentialName: 'wrong-ssh' }, 'failed');
    const rule = await as(admin, 'POST', '/api/v1/rules', { name: 'behind', type: 'minors_behind', moderate: 1, high: 5, critical: 9, stableOnly: true });
    const config = await as(admin, 'POST', '/api/v1/alert-configs', { name: 'widget lag', gatherJobId: gatherId, scrapeJobId: scrapeId, ruleId: rule.id });
    for (const { resource, id } of jobs) await as(admin, 'POST', `/api/v1/${resource}/${id}/run`);

    // Everything settles: tasks finish, the alert is delivered, failures retry and die.
    for (const { resource, id, expect: expected } of jobs) {
      const task = await eventually(`the task of ${resource}/${id}`, async () => {
        const item = (await as(admin, 'GET', `/api/v1/tasks?jobId=${id}`)).items[0];
        return item?.status === 'succeeded' || item?.status === 'failed' ? item : undefined;
      }, 60_000);
      expect({ resource, status: task.status }).toEqual({ resource, status: expected });
    }
    await eventually('the alert.created webhook', async () => ok.received.find((w) => w.json?.type === 'alert.created'), 60_000);
    expect((await as(admin, 'GET', `/api/v1/alerts?alertConfigId=${config.id}`)).items).toHaveLength(1);
    const settled = { failing: 'dead', gone: 'failed', down: 'dead', slack: 'succeeded', generated: 'succeeded' };
    for (const [name, status] of Object.entries(settled)) {
      await eventually(`the ${name} test delivery ${status}`, async () => {
        const items = (await as(admin, 'GET', `/api/v1/deliveries?channelId=${channelIds[name]}`)).items as any[];
        return items.some((d) => d.status === status) ? true : undefined;
      }, 60_000);
    }
    const dead = (await as(admin, 'GET', `/api/v1/deliveries?channelId=${channelIds.failing}&status=dead`)).items[0];
    failing.respond = () => ({ status: 204 });
    await as(admin, 'POST', `/api/v1/deliveries/${dead.id}/replay`);
    await eventually('the replayed delivery', async () => ((await as(admin, 'GET', `/api/v1/deliveries/${dead.id}`)).status === 'succeeded' ? true : undefined), 30_000);

    for (const route of ['/api/v1/notification-channels', '/api/v1/api-keys', '/api/v1/deliveries?limit=500', '/api/v1/agents', '/api/v1/tasks?limit=500', '/api/v1/gather-jobs', '/api/v1/scrape-jobs', '/api/v1/organizations']) {
      laterAnswers.push({ route, body: await as(admin, 'GET', route) });
    }
    for (const id of Object.values(channelIds)) laterAnswers.push({ route: `channel ${id}`, body: await as(admin, 'GET', `/api/v1/notification-channels/${id}`) });
    for (const item of laterAnswers[1]?.body.items ?? []) laterAnswers.push({ route: `key ${item.id}`, body: await as(admin, 'GET', `/api/v1/api-keys/${item.id}`) });
    for (const item of laterAnswers[2]?.body.items ?? []) laterAnswers.push({ route: `delivery ${item.id}`, body: await as(admin, 'GET', `/api/v1/deliveries/${item.id}`) });
  }, 240_000);

  it('never shows a URL, signing secret, key or key hash in an API answer after creation', () => {
    for (const value of Object.values(secrets)) if (value.startsWith('pk_')) secrets[`hash of ${value.slice(0, 12)}…`] = hashApiKey(value);
    const everything = JSON.stringify(laterAnswers);
    expect(Object.entries(secrets).filter(([, value]) => everything.includes(value)).map(([label]) => label)).toEqual([]);
    const channels = laterAnswers.filter((a) => a.route.startsWith('channel ')).map((a) => a.body);
    expect(channels).toHaveLength(8);
    for (const channel of channels) {
      expect(Object.keys(channel)).not.toEqual(expect.arrayContaining(['url']));
      expect(channel.secret ?? null).toBeNull();
    }
    for (const key of laterAnswers.filter((a) => a.route.startsWith('key ')).map((a) => a.body)) {
      expect(Object.keys(key).filter((name) => /^(key|keyHash|hash|secret)$/i.test(name))).toEqual([]);
    }
  });

  it('wrote no secret to any log line of any process, stdout or stderr', async () => {
    // Stop first: shutdown paths log too.
    await Promise.all(apps.map((app) => app.stop()));
    const byApp = new Map<string, number>();
    for (const line of lines) byApp.set(line.app, (byApp.get(line.app) ?? 0) + 1);
    process.stdout.write(`secrets: ${Object.keys(secrets).length} secrets searched in ${lines.length} log lines (${JSON.stringify(Object.fromEntries(byApp))})\n`);
    // The scan is not vacuous: every process logged at debug level, with ids of what it touched.
    expect([...byApp.keys()].sort()).toEqual(['agent', 'api', 'notifier', 'rules-engine', 'taskengine']);
    const text = lines.map((l) => l.line).join('\n');
    for (const id of [channelIds.failing, channelIds.gone, jobs[0]?.id]) expect(text).toContain(id);
    expect(text).toContain('"level":"debug"');
    expect(linesWithSecrets()).toEqual([]);
  }, 60_000);
});
