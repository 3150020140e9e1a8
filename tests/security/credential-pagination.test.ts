import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCredentialCatcher, type CatcherAnswer, type CredentialCatcher } from '../../apps/agent/test/helpers/credential-catcher.ts';
import { makeReleases, makeTags, startGithubApi, type GithubApiStandIn } from '../../apps/agent/test/helpers/github-api.ts';
import { makeGitlabReleases, startGitlabApi, type GitlabApiStandIn } from '../../apps/agent/test/helpers/gitlab-api.ts';
import { helmIndexYaml } from '../../apps/agent/test/helpers/helm-repo.ts';
import { startLocalServer, type LocalServer } from '../../apps/agent/test/helpers/http-server.ts';
import { startTokenRegistry, type TokenRegistryStandIn } from '../../apps/agent/test/helpers/oci-token-registry.ts';
import { startAgentSite, type AgentSite } from '../support/agent-site.ts';

// Issue 13, reproduction 3: the upstream a credential is meant for names further URLs (a tag
// list's next page, a token realm, a release list's next page, a redirect), and those may be on
// another origin, an attacker's. The real agent against the real api: what follows such a URL
// carries no credential, a realm gets one only inside the credential's hosts, and where the
// other origin asks for credentials the task fails saying so.

const GITHUB_TOKEN = 'ghp_pagination_token_never_leaves_0123456789';
const CHART_PASSWORD = 'charts-password-never-leaves';
const host = (url: string) => new URL(url).host;

let site: AgentSite;
let attacker: CredentialCatcher;
/** Its next page is on the attacker's server. */
let paged: TokenRegistryStandIn;
/** Its token realm is the attacker's server. */
let phishing: TokenRegistryStandIn;
/** Its token realm is another host the credential lists (the registry by its other name). */
let split: TokenRegistryStandIn;
let github: GithubApiStandIn;
let charts: LocalServer;
/** Its Link headers name the attacker's server; x-next-page is a page number. */
let gitlab: GitlabApiStandIn;
/** A GitLab that redirects to the attacker's server. */
let movedGitlab: LocalServer;

beforeAll(async () => {
  attacker = await startCredentialCatcher();
  attacker.respond = (req): CatcherAnswer => {
    const path = req.url ?? '/';
    if (path.startsWith('/v2/')) {
      // The next page asks for credentials, naming the attacker's own realm.
      return { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${attacker.url}/token",service="evil"` }, body: '{"errors":[]}' };
    }
    if (path.startsWith('/token')) return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"token":"phished"}' };
    if (path.startsWith('/index.yaml')) return { status: 200, headers: { 'content-type': 'text/yaml' }, body: helmIndexYaml([{ name: 'app', version: '6.6.6', appVersion: '6.6.6', created: '2024-01-01T00:00:00Z' }], attacker.url) };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '[]' };
  };
  [paged, phishing, split] = await Promise.all([startTokenRegistry(), startTokenRegistry(), startTokenRegistry()]);
  // More than the agent's page of 1000 tags, so there is a next page.
  paged.repositories.set('acme/app', { tags: Array.from({ length: 1500 }, (_, i) => `1.${Math.floor(i / 100)}.${i % 100}`), private: true });
  paged.linkOrigin = attacker.url;
  phishing.repositories.set('acme/app', { tags: ['1.0.0'], private: true });
  phishing.realmOrigin = attacker.url;
  split.repositories.set('acme/app', { tags: ['2.0.0', '2.1.0'], private: true });
  split.realmOrigin = `http://localhost:${split.port}`;
  for (const registry of [phishing, split]) registry.credentials.password = paged.credentials.password;
  github = await startGithubApi();
  github.repos.set('acme/app', makeReleases('acme', 'app', 150));
  github.tags.set('acme/tagged', makeTags('acme', 'tagged', Array.from({ length: 150 }, (_, i) => `v1.${i}.0`), github.commits));
  github.linkOrigin = attacker.url;
  gitlab = await startGitlabApi();
  gitlab.projects.set('acme/deployer', makeGitlabReleases('acme/deployer', Array.from({ length: 130 }, (_, i) => `v2.${i}.0`)));
  gitlab.privateProjects.add('acme/deployer');
  gitlab.linkOrigin = attacker.url;
  movedGitlab = await startLocalServer((req, res) => {
    res.writeHead(302, { location: `${attacker.url}${req.url ?? '/'}` });
    res.end();
  });
  charts = await startLocalServer((req, res) => {
    res.writeHead(302, { location: `${attacker.url}${req.url ?? '/'}` });
    res.end();
  });
  const registryUser = { type: 'registry_basic', username: paged.credentials.username, password: paged.credentials.password };
  site = await startAgentSite(
    {
      registries: { ...registryUser, hosts: [host(paged.url), host(phishing.url)] },
      'split-registry': { ...registryUser, hosts: [host(split.url), `localhost:${split.port}`] },
      charts: { type: 'registry_basic', username: 'charts', password: CHART_PASSWORD, hosts: [host(charts.url)] },
      gitlab: { type: 'https_pat', token: gitlab.token, hosts: [host(gitlab.url), host(movedGitlab.url)] },
    },
    { GITHUB_TOKEN, GITHUB_TOKEN_HOSTS: host(github.url) },
  );
}, 120_000);

afterAll(async () => {
  await site?.stop();
  await Promise.all([attacker, paged, phishing, split, github, charts, gitlab, movedGitlab].map((server) => server?.close()));
});

const pathsAtAttacker = (prefix: string) => attacker.requests.filter((r) => r.path.startsWith(prefix));

describe('links, realms and redirects to another origin never carry the credential', () => {
  it("an OCI registry's next page on another host gets no authorization, and asking for one fails the task", async () => {
    const outcome = await site.runJob('gather-jobs', {
      name: 'paged', sourceType: 'oci_registry', source: { registryUrl: paged.url, repository: 'acme/app' }, credentialName: 'registries',
    });
    expect(pathsAtAttacker('/v2/').map((r) => [r.path, r.headers.authorization])).toEqual([['/v2/acme/app/tags/list?last=1.4.99&n=1000', undefined]]);
    expect(pathsAtAttacker('/token')).toEqual([]);
    expect(outcome).toEqual({
      status: 'failed',
      error: `the tag list continues at ${host(attacker.url)}, another origin than the registry's, which asks for credentials; the agent sends none across origins`,
    });
    // The registry's own pages did carry the token: the credential was in use, not absent.
    expect(paged.requests.filter((r) => r.path.includes('/tags/list') && r.authorization?.startsWith('Bearer ')).length).toBe(1);
  });

  it("a token realm on a host outside the credential's hosts gets nothing, and the task names that host", async () => {
    const outcome = await site.runJob('gather-jobs', {
      name: 'phishing realm', sourceType: 'oci_registry', source: { registryUrl: phishing.url, repository: 'acme/app' }, credentialName: 'registries',
    });
    expect(pathsAtAttacker('/token')).toEqual([]);
    expect(outcome).toEqual({
      status: 'failed',
      error: `credential registries may not be sent to the registry's token service at ${host(attacker.url)}: that host is not in the hosts: of agent.credentials.registries (${host(paged.url)}, ${host(phishing.url)}); the agent refused to send it`,
    });
  });

  it('a token realm on another host the credential lists gets it', async () => {
    const outcome = await site.runJob('gather-jobs', {
      name: 'split realm', sourceType: 'oci_registry', source: { registryUrl: split.url, repository: 'acme/app' }, credentialName: 'split-registry',
    });
    expect(outcome).toEqual({ status: 'succeeded', error: null });
    const tokenRequests = split.requests.filter((r) => r.path.startsWith('/token'));
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(new Set(tokenRequests.map((r) => `${r.host} ${r.authorization?.split(' ')[0]}`))).toEqual(new Set([`localhost:${split.port} Basic`]));
  });

  it("GitHub's next page on another host is fetched without GITHUB_TOKEN", async () => {
    const outcome = await site.runJob('gather-jobs', { name: 'github', sourceType: 'github_release', source: { owner: 'acme', repo: 'app', baseUrl: github.url } });
    expect(outcome).toEqual({ status: 'succeeded', error: null });
    expect(github.requests.map((r) => r.authorization)).toEqual([`token ${GITHUB_TOKEN}`]);
    expect(pathsAtAttacker('/repos/').map((r) => [r.path, r.headers.authorization])).toEqual([['/repos/acme/app/releases?per_page=100&page=2', undefined]]);
  });

  it("GitHub's next page of tags on another host is fetched without GITHUB_TOKEN, and commit dates only from the API root", async () => {
    github.requests.length = 0;
    const outcome = await site.runJob('gather-jobs', { name: 'github tags', sourceType: 'github_tag', source: { owner: 'acme', repo: 'tagged', baseUrl: github.url } });
    expect(outcome).toEqual({ status: 'succeeded', error: null });
    expect(github.requests.length).toBeGreaterThan(1);
    expect(github.requests.every((r) => r.authorization === `token ${GITHUB_TOKEN}`)).toBe(true);
    expect(pathsAtAttacker('/repos/acme/tagged').map((r) => [r.path, r.headers.authorization])).toEqual([['/repos/acme/tagged/tags?per_page=100&page=2', undefined]]);
  });

  it("GitLab's pages are read from its own API root: a Link to another host is not followed", async () => {
    const outcome = await site.runJob('gather-jobs', { name: 'gitlab', sourceType: 'gitlab_release', source: { project: 'acme/deployer', baseUrl: gitlab.url }, credentialName: 'gitlab' });
    expect(outcome).toEqual({ status: 'succeeded', error: null });
    expect(gitlab.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/api/v4/projects/acme%2Fdeployer/releases?per_page=100&page=1', `Bearer ${gitlab.token}`],
      ['/api/v4/projects/acme%2Fdeployer/releases?per_page=100&page=2', `Bearer ${gitlab.token}`],
    ]);
    expect(pathsAtAttacker('/api/v4/')).toEqual([]);
  });

  it('a GitLab redirecting to another host loses the token on the way', async () => {
    const outcome = await site.runJob('gather-jobs', { name: 'moved gitlab', sourceType: 'gitlab_release', source: { project: 'acme/moved', baseUrl: movedGitlab.url }, credentialName: 'gitlab' });
    expect(outcome).toEqual({ status: 'succeeded', error: null });
    expect(pathsAtAttacker('/api/v4/').map((r) => [r.path, r.headers.authorization])).toEqual([['/api/v4/projects/acme%2Fmoved/releases?per_page=100&page=1', undefined]]);
  });

  it('a Helm repository redirecting to another host loses the credential on the way', async () => {
    const outcome = await site.runJob('gather-jobs', { name: 'charts', sourceType: 'helm_repo', source: { repoUrl: charts.url, chart: 'app' }, credentialName: 'charts' });
    expect(outcome).toEqual({ status: 'succeeded', error: null });
    expect(pathsAtAttacker('/index.yaml').map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  it('nothing that reached the attacker carried a credential, and no secret was logged', () => {
    expect(attacker.credentialsSeen()).toEqual([]);
    const log = site.agentLog.join('\n');
    for (const secret of [GITHUB_TOKEN, CHART_PASSWORD, paged.credentials.password, gitlab.token]) expect(log).not.toContain(secret);
  });
});
