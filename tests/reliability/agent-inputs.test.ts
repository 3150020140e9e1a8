/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are read field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@planekeeper/db';
import { createTestDatabase, type TestDatabase } from '@planekeeper/db/testing';
import { createTestRepository } from '../../apps/agent/test/helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from '../../apps/agent/test/helpers/git-http-server.ts';
import { helmIndexYaml, manyCharts } from '../../apps/agent/test/helpers/helm-repo.ts';
import { startApp, type RunningApp } from '../support/app-process.ts';
import { endless, fixed, htmlErrorPage, startBadUpstream, YAML_ALIAS_BOMB, type BadUpstream } from '../support/bad-upstream.ts';
import { BOOTSTRAP_KEY, eventually, writeAgentConfig } from '../support/stack.ts';
import { caller, type Call } from '../security/tenants.ts';

// A real agent process against a real api process, fed bad upstream answers and hostile job
// settings by local stand-ins. Each case must end as a failed task whose error says what was
// wrong, within a bound, and leave the agent working.

const GIT_TOKEN = 'ghp_agent_inputs_repo_token';
const JSON_TYPE = 'application/json; charset=utf-8';

let test: TestDatabase;
let api: RunningApp;
let agent: RunningApp;
let opsPort: number;
let upstream: BadUpstream;
let git: GitHttpServer;
let call: Call;
let admin: string;
const root = mkdtempSync(path.join(os.tmpdir(), 'pk-agent-inputs-'));
const agentLog: string[] = [];

interface Case {
  name: string;
  resource: 'gather-jobs' | 'scrape-jobs' | 'helm-sync-jobs';
  body: () => Record<string, unknown>;
  status: 'failed' | 'succeeded';
  error?: RegExp;
}

const gather = (name: string, source: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name, sourceType: source.owner ? 'github_release' : source.chart ? 'helm_repo' : 'oci_registry', source, schedule: '0 0 1 1 *', ...extra,
});
const scrape = (name: string, filePath: string, parser: string, expression: string) => ({
  name, repoUrl: `${git.url}/deploy`, ref: 'main', filePath, parser, expression, credentialName: 'deploy-repo', schedule: '0 0 1 1 *',
});

function tags(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `1.${Math.floor(i / 1000)}.${i % 1000}`);
}

/** Cases with their jobs' settings; bodies are built once the stand-ins have their ports. */
function cases(): Case[] {
  return [
    { name: 'GitHub: truncated JSON', resource: 'gather-jobs', body: () => gather('gh truncated', { owner: 'acme', repo: 'widget', baseUrl: `${upstream.url}/gh-truncated` }), status: 'failed', error: /^the GitHub API for acme\/widget answered with something that is not a JSON list of releases \(cut off, or an HTML page\)$/ },
    { name: 'GitHub: an HTML error page (502)', resource: 'gather-jobs', body: () => gather('gh 502', { owner: 'acme', repo: 'widget', baseUrl: `${upstream.url}/gh-502` }), status: 'failed', error: /^GitHub answered 502 for acme\/widget$/ },
    { name: 'GitHub: an HTML page answered 200 (a proxy login page)', resource: 'gather-jobs', body: () => gather('gh html', { owner: 'acme', repo: 'widget', baseUrl: `${upstream.url}/gh-html` }), status: 'failed', error: /^the GitHub API for acme\/widget answered with something that is not a JSON list of releases \(cut off, or an HTML page\)$/ },
    { name: 'Helm: a 10 MB index.yaml without the chart', resource: 'gather-jobs', body: () => gather('helm big', { repoUrl: `${upstream.url}/helm-big`, chart: 'no-such-chart' }), status: 'failed', error: /^chart no-such-chart is not in the Helm repository index .*\/helm-big\/index\.yaml \(420 charts listed\)$/ },
    { name: 'Helm: an endless index.yaml (70 MB, chunked)', resource: 'gather-jobs', body: () => gather('helm endless', { repoUrl: `${upstream.url}/helm-endless`, chart: 'nginx' }), status: 'failed', error: /^the Helm repository index .*\/helm-endless\/index\.yaml is larger than the 64 MB limit$/ },
    { name: 'Helm: a malformed index.yaml', resource: 'gather-jobs', body: () => gather('helm malformed', { repoUrl: `${upstream.url}/helm-malformed`, chart: 'nginx' }), status: 'failed', error: /^the Helm repository index is not valid YAML \(chart nginx\): .* at line \d+, column \d+$/ },
    { name: 'Helm: an HTML page instead of index.yaml', resource: 'gather-jobs', body: () => gather('helm html', { repoUrl: `${upstream.url}/helm-html`, chart: 'nginx' }), status: 'failed', error: /^chart nginx is not in the Helm repository index .*\/helm-html\/index\.yaml \(0 charts listed\)$/ },
    { name: 'OCI: a tags list of 100,000 entries', resource: 'gather-jobs', body: () => gather('oci 100k', { registryUrl: `${upstream.url}/`, repository: 'acme/many' }), status: 'failed', error: /^acme\/many has 100000 tags, more than the 50000 one result may carry; narrow the job's tag filter$/ },
    { name: 'OCI: a tags list of 100,001 entries', resource: 'gather-jobs', body: () => gather('oci 100k+1', { registryUrl: `${upstream.url}/`, repository: 'acme/toomany' }), status: 'failed', error: /^acme\/toomany has more than 100000 tags; the agent stops listing there$/ },
    { name: 'OCI: 30,000 tags, a result of several MB, accepted whole', resource: 'gather-jobs', body: () => gather('oci 30k', { registryUrl: `${upstream.url}/`, repository: 'acme/thirtyk' }), status: 'succeeded' },
    { name: 'OCI: a truncated tags list', resource: 'gather-jobs', body: () => gather('oci truncated', { registryUrl: `${upstream.url}/`, repository: 'acme/truncated' }), status: 'failed', error: /^the tag list answered with invalid JSON \(HTTP 200\)$/ },
    // User regexes run in a linear-time engine: the pattern that used to backtrack for ever answers at once.
    { name: 'OCI: a catastrophic tag filter', resource: 'gather-jobs', body: () => gather('oci redos', { registryUrl: `${upstream.url}/`, repository: 'acme/redos' }, { tagFilter: '^(a+)+$' }), status: 'succeeded' },
    { name: 'OCI: 100,000 tags narrowed by the tag filter', resource: 'gather-jobs', body: () => gather('oci filtered', { registryUrl: `${upstream.url}/`, repository: 'acme/many' }, { tagFilter: '^1\\.0\\.' }), status: 'succeeded' },
    { name: 'scrape: a catastrophic regex', resource: 'scrape-jobs', body: () => scrape('redos', 'deploy/redos.txt', 'regex', '(a+)+$'), status: 'failed', error: /^regex did not match the file$/ },
    { name: 'scrape: a jq expression that never returns', resource: 'scrape-jobs', body: () => scrape('jq loop', 'deploy/package.json', 'jq', 'def f: f; f'), status: 'failed', error: /^jq expression did not finish within 5 s and was stopped$/ },
    { name: 'scrape: a YAML alias bomb', resource: 'scrape-jobs', body: () => scrape('alias bomb', 'deploy/bomb.yaml', 'yq', '.image.tag'), status: 'failed', error: /^YAML expands to more than 1000000 values once aliases are followed/ },
    { name: 'scrape: a file that is a symlink out of the repository', resource: 'scrape-jobs', body: () => scrape('symlink file', 'deploy/passwd.yaml', 'regex', '^root:(\\w+)'), status: 'failed', error: /^deploy\/passwd\.yaml is a symbolic link in the repository; refusing to follow it/ },
    { name: 'scrape: a directory that is a symlink out of the repository', resource: 'scrape-jobs', body: () => scrape('symlink dir', 'etc-link/hostname', 'regex', '(.+)'), status: 'failed', error: /^etc-link is a symbolic link in the repository; refusing to follow it/ },
    { name: 'helm_sync: a malformed index.yaml', resource: 'helm-sync-jobs', body: () => ({ name: 'sync malformed', repoUrl: `${upstream.url}/helm-malformed`, schedule: '0 0 1 1 *' }), status: 'failed', error: /^the Helm repository index is not valid YAML/ },
  ];
}

function scriptUpstream(): void {
  const a = upstream.answers;
  const releases = (from: string) => `${from}/repos/acme/widget/releases`;
  a.set(releases('/gh-truncated'), fixed(200, JSON_TYPE, '[{"id":1,"tag_name":"v1.2.0","draft":false,"prerelease":false,"published_at":"2024-01-0'));
  a.set(releases('/gh-502'), fixed(502, 'text/html', htmlErrorPage(502, 'Bad Gateway')));
  a.set(releases('/gh-html'), fixed(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><form action="/login">Sign in to continue</form></body></html>'));
  a.set(releases('/gh-good'), fixed(200, JSON_TYPE, JSON.stringify([{ id: 1, tag_name: 'v2.0.0', name: 'v2.0.0', draft: false, prerelease: false, created_at: '2024-01-01T00:00:00Z', published_at: '2024-01-01T00:00:00Z', html_url: 'https://example.com', body: '' }])));
  const big = helmIndexYaml(manyCharts(420, 30), 'https://charts.example.com');
  a.set('/helm-big/index.yaml', fixed(200, 'text/yaml', big));
  a.set('/helm-endless/index.yaml', endless('text/yaml', 'apiVersion: v1\nentries:\n', '# padding padding padding padding padding padding padding padding\n', 70 * 1024 * 1024));
  a.set('/helm-malformed/index.yaml', fixed(200, 'text/yaml', 'apiVersion: v1\nentries:\n  nginx:\n  - version: [1.2.0\n    created: "2024-01-01T00:00:00Z\n'));
  a.set('/helm-html/index.yaml', fixed(200, 'text/html', htmlErrorPage(200, 'OK')));
  const list = (name: string, values: string[]) => fixed(200, 'application/json', JSON.stringify({ name, tags: values }));
  a.set('/v2/acme/many/tags/list', list('acme/many', tags(100_000)));
  a.set('/v2/acme/toomany/tags/list', list('acme/toomany', tags(100_001)));
  a.set('/v2/acme/thirtyk/tags/list', list('acme/thirtyk', tags(30_000)));
  a.set('/v2/acme/truncated/tags/list', fixed(200, 'application/json', '{"name":"acme/truncated","tags":["1.0.0","1.0'));
  a.set('/v2/acme/redos/tags/list', list('acme/redos', ['1.0.0', `${'a'.repeat(40)}!`]));
}

beforeAll(async () => {
  upstream = await startBadUpstream();
  scriptUpstream();
  const repo = createTestRepository(path.join(root, 'served', 'deploy'));
  repo.commit({
    'deploy/values.yaml': 'image:\n  tag: "1.2.3"\n',
    'deploy/bomb.yaml': YAML_ALIAS_BOMB,
    'deploy/redos.txt': `${'a'.repeat(30)}!`,
    'deploy/package.json': '{"name":"app","version":"1.0.0"}\n',
    'deploy/passwd.yaml': { symlink: '/etc/passwd' },
    'etc-link': { symlink: '/etc' },
  });
  git = await startGitHttpServer(path.join(root, 'served'), GIT_TOKEN);

  test = await createTestDatabase();
  api = await startApp('api', { DATABASE_URL: test.url, PLANEKEEPER_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, API_RATE_LIMIT_PER_MINUTE: '0' });
  call = caller(api.url);
  const org = await call('POST', '/api/v1/organizations', { name: 'agent inputs' });
  admin = org.body.adminKey.key;
  const agentKey = await call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' }, admin);
  opsPort = await freePort();
  agent = await startApp(
    'agent',
    {
      AGENT_SERVER_URL: `${api.url}/api/v1/agent`,
      AGENT_API_KEY: agentKey.body.key,
      AGENT_NAME: 'bad-input-agent',
      AGENT_POLL_INTERVAL: '1',
      AGENT_MAX_CONCURRENT_TASKS: '4',
      AGENT_CACHE_DIR: path.join(root, 'cache'),
      AGENT_CONFIG: writeAgentConfig({ 'deploy-repo': { type: 'https_pat', token: GIT_TOKEN, hosts: [new URL(git.url).host] } }),
      AGENT_METRICS_PORT: String(opsPort),
      LOG_LEVEL: 'info',
    },
    { readyPath: null, onLine: (line) => agentLog.push(line) },
  );
  await eventually('the agent registered', async () => ((await fetch(`http://127.0.0.1:${opsPort}/readyz`).then((r) => r.status, () => 0)) === 200 ? true : undefined));
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await api?.stop();
  await test?.destroy();
  await Promise.all([upstream?.close(), git?.close()]);
  rmSync(root, { recursive: true, force: true });
});

/** Creates the job, runs it now, and waits (bounded) for its task to finish. */
async function runJob(resource: Case['resource'], body: Record<string, unknown>, timeoutMs = 90_000): Promise<{ status: string; error: string | null; ms: number }> {
  const created = await call('POST', `/api/v1/${resource}`, body, admin);
  if (created.status !== 201) throw new Error(`creating ${body.name as string}: ${created.status} ${JSON.stringify(created.body)}`);
  const started = Date.now();
  const run = await call('POST', `/api/v1/${resource}/${created.body.id}/run`, undefined, admin);
  if (run.status >= 300) throw new Error(`running ${body.name as string}: ${run.status} ${JSON.stringify(run.body)}`);
  const task = await eventually(`the task of ${body.name as string}`, async () => {
    const answer = await call('GET', `/api/v1/tasks?jobId=${created.body.id}`, undefined, admin);
    const item = answer.body?.items?.[0];
    return item?.status === 'failed' || item?.status === 'succeeded' ? item : undefined;
  }, timeoutMs);
  return { status: task.status, error: task.error, ms: Date.now() - started };
}

describe('agent inputs: malformed upstream answers and hostile job settings', () => {
  // All cases run at once (the agent takes 4 at a time); each test awaits its own.
  let outcomes: Map<string, Promise<{ status: string; error: string | null; ms: number }>>;
  beforeAll(() => {
    outcomes = new Map(cases().map((c) => [c.name, runJob(c.resource, c.body())]));
    for (const outcome of outcomes.values()) outcome.catch(() => undefined);
  });

  it.each(cases().map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const outcome = await (outcomes.get(name) as Promise<{ status: string; error: string | null; ms: number }>);
    expect({ name, status: outcome.status }).toEqual({ name, status: c.status });
    process.stdout.write(`agent inputs: ${name}: ${outcome.status} ${outcome.ms} ms: ${outcome.error}\n`);
    if (c.error) expect(outcome.error).toMatch(c.error);
  }, 120_000);

  it('refuses filePath traversal at the API, naming the field', async () => {
    for (const filePath of ['../../etc/passwd', '/etc/passwd', 'deploy/../../../etc/passwd', 'deploy\\..\\..\\etc\\passwd', 'C:/Windows/win.ini', 'deploy/\u0000values.yaml']) {
      const answer = await call('POST', '/api/v1/scrape-jobs', scrape('traversal', filePath, 'yq', '.image.tag'), admin);
      expect({ filePath, status: answer.status, fields: answer.body.error.details.map((d: any) => d.path) }).toEqual({ filePath, status: 400, fields: ['filePath'] });
    }
    const job = await call('POST', '/api/v1/scrape-jobs', scrape('patched', 'deploy/values.yaml', 'yq', '.image.tag'), admin);
    const patched = await call('PATCH', `/api/v1/scrape-jobs/${job.body.id}`, { filePath: '../../../../etc/shadow' }, admin);
    expect(patched.status).toBe(400);
    expect(patched.body.error.message).toContain('filePath');
  });

  it('leaves the agent alive, within bounds, and completing normal tasks afterwards', async () => {
    await Promise.allSettled(outcomes.values());
    expect(agent.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    const scraped = await runJob('scrape-jobs', scrape('normal scrape', 'deploy/values.yaml', 'yq', '.image.tag'), 30_000);
    expect(scraped).toMatchObject({ status: 'succeeded', error: null });
    const gathered = await runJob('gather-jobs', gather('normal gather', { owner: 'acme', repo: 'widget', baseUrl: `${upstream.url}/gh-good` }), 30_000);
    expect(gathered).toMatchObject({ status: 'succeeded', error: null });
    // Nothing read was kept: the 10 MB and 70 MB answers and 100,000-tag lists are gone again.
    expect(agent.rssMb()).toBeLessThan(1024);
    process.stdout.write(`agent inputs: agent RSS ${agent.rssMb().toFixed(0)} MB after all cases\n`);
  }, 120_000);
});
