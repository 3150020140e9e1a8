import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startCredentialCatcher, type CredentialCatcher } from '../../apps/agent/test/helpers/credential-catcher.ts';
import { createTestRepository } from '../../apps/agent/test/helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from '../../apps/agent/test/helpers/git-http-server.ts';
import { makeGitlabReleases, startGitlabApi, type GitlabApiStandIn } from '../../apps/agent/test/helpers/gitlab-api.ts';
import { startTokenRegistry, type TokenRegistryStandIn } from '../../apps/agent/test/helpers/oci-token-registry.ts';
import { makeSshKey } from '../../apps/agent/test/helpers/sshd.ts';
import { startAgentSite, type AgentSite } from '../support/agent-site.ts';

// Issue 13, reproduction 2: a member points jobs that name the site's credentials (and the
// GITHUB_TOKEN every GitHub job uses) at a server of their own. The real agent, run against the
// real api, must refuse each one before sending anything, and fail the task saying which host
// it refused, without the secret. A job against the host a credential is for is the control.

const GITHUB_TOKEN = 'ghp_site_token_never_leaves_0123456789';
const GIT_TOKEN = 'ghp_site_git_pat_never_leaves_0123456789';
const root = mkdtempSync(path.join(os.tmpdir(), 'pk-credential-hosts-'));
const sshKey = makeSshKey(root, 'deploy_key');

let site: AgentSite;
let attacker: CredentialCatcher;
let sshTrap: Server;
let sshConnections = 0;
let registry: TokenRegistryStandIn;
let git: GitHttpServer;
let gitlab: GitlabApiStandIn;

const host = (url: string) => new URL(url).host;

beforeAll(async () => {
  attacker = await startCredentialCatcher();
  sshTrap = createServer((socket) => {
    sshConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => sshTrap.listen(0, '127.0.0.1', resolve));
  registry = await startTokenRegistry();
  registry.repositories.set('acme/app', { tags: ['1.0.0', '1.1.0'], private: true });
  createTestRepository(path.join(root, 'served', 'deploy')).commit({ 'values.yaml': 'image:\n  tag: "1.0.0"\n' });
  git = await startGitHttpServer(path.join(root, 'served'), GIT_TOKEN);
  gitlab = await startGitlabApi();
  gitlab.projects.set('acme/deployer', makeGitlabReleases('acme/deployer', ['v2.1.0', 'v2.0.0']));
  gitlab.privateProjects.add('acme/deployer');
  site = await startAgentSite(
    {
      'site-registry': { type: 'registry_basic', username: registry.credentials.username, password: registry.credentials.password, hosts: [host(registry.url)] },
      'deploy-repo': { type: 'https_pat', token: GIT_TOKEN, hosts: [host(git.url)] },
      'deploy-ssh': { type: 'ssh_key', private_key: sshKey.privateKey, hosts: ['git.example.com'] },
      'site-gitlab': { type: 'https_pat', token: gitlab.token, hosts: [host(gitlab.url)] },
    },
    // GITHUB_TOKEN_HOSTS is left unset: the token may go to api.github.com only.
    { GITHUB_TOKEN },
  );
}, 120_000);

afterAll(async () => {
  await site?.stop();
  await Promise.all([attacker?.close(), registry?.close(), git?.close(), gitlab?.close(), new Promise((resolve) => sshTrap?.close(resolve))]);
  rmSync(root, { recursive: true, force: true });
});

describe("a member cannot collect the agents' credentials by pointing jobs at their own server", () => {
  it('the credentials work where they are meant to go (the control)', async () => {
    const gathered = await site.runJob('gather-jobs', {
      name: 'private images', sourceType: 'oci_registry', source: { registryUrl: registry.url, repository: 'acme/app' }, credentialName: 'site-registry',
    });
    expect(gathered).toEqual({ status: 'succeeded', error: null });
    const scraped = await site.runJob('scrape-jobs', {
      name: 'deployed', repoUrl: `${git.url}/deploy`, ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.image.tag', credentialName: 'deploy-repo',
    });
    expect(scraped).toEqual({ status: 'succeeded', error: null });
    const releases = await site.runJob('gather-jobs', {
      name: 'private project', sourceType: 'gitlab_release', source: { project: 'acme/deployer', baseUrl: gitlab.url }, credentialName: 'site-gitlab',
    });
    expect(releases).toEqual({ status: 'succeeded', error: null });
    expect(gitlab.requests.map((r) => r.authorization)).toEqual([`Bearer ${gitlab.token}`]);
  });

  it('refuses every credential at the attacker, failing each task with the host named and no secret', async () => {
    const evil = attacker.url;
    const evilHost = host(evil);
    const refusal = (label: string, setting: string, allowed: string) =>
      `${label} may not be sent to ${evilHost}: that host is not in ${setting} (${allowed}); the agent refused to send it`;
    const registryRefusal = refusal('credential site-registry', 'the hosts: of agent.credentials.site-registry', host(registry.url));
    const cases: [string, 'gather-jobs' | 'scrape-jobs' | 'helm-sync-jobs', Record<string, unknown>, string][] = [
      ['GITHUB_TOKEN to a GitHub baseUrl', 'gather-jobs', { name: 'gh', sourceType: 'github_release', source: { owner: 'acme', repo: 'app', baseUrl: evil } }, refusal('GITHUB_TOKEN', 'GITHUB_TOKEN_HOSTS', 'api.github.com')],
      ['GITHUB_TOKEN to a GitHub baseUrl for tags', 'gather-jobs', { name: 'gh tags', sourceType: 'github_tag', source: { owner: 'acme', repo: 'app', baseUrl: evil } }, refusal('GITHUB_TOKEN', 'GITHUB_TOKEN_HOSTS', 'api.github.com')],
      ['GitLab token to a GitLab baseUrl', 'gather-jobs', { name: 'gl', sourceType: 'gitlab_release', source: { project: 'acme/deployer', baseUrl: evil }, credentialName: 'site-gitlab' },
        refusal('credential site-gitlab', 'the hosts: of agent.credentials.site-gitlab', host(gitlab.url))],
      ['registry credential to an endoflife.date mirror', 'gather-jobs', { name: 'eol', sourceType: 'endoflife', source: { product: 'kubernetes', baseUrl: evil }, credentialName: 'site-registry' }, registryRefusal],
      ['registry credential to an OCI registry', 'gather-jobs', { name: 'oci', sourceType: 'oci_registry', source: { registryUrl: evil, repository: 'acme/app' }, credentialName: 'site-registry' }, registryRefusal],
      ['registry credential to a Helm repository', 'gather-jobs', { name: 'helm', sourceType: 'helm_repo', source: { repoUrl: evil, chart: 'app' }, credentialName: 'site-registry' }, registryRefusal],
      ['registry credential to a helm_sync', 'helm-sync-jobs', { name: 'sync', repoUrl: evil, credentialName: 'site-registry' }, registryRefusal],
      ['git PAT to a repository', 'scrape-jobs', { name: 'git', repoUrl: `${evil}/deploy.git`, ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.a', credentialName: 'deploy-repo' },
        refusal('credential deploy-repo', 'the hosts: of agent.credentials.deploy-repo', host(git.url))],
      ['ssh key to an ssh server', 'scrape-jobs', { name: 'ssh', repoUrl: `ssh://git@127.0.0.1:${(sshTrap.address() as AddressInfo).port}/deploy.git`, ref: 'main', filePath: 'values.yaml', parser: 'yq', expression: '.a', credentialName: 'deploy-ssh' },
        `credential deploy-ssh may not be sent to 127.0.0.1:${(sshTrap.address() as AddressInfo).port}: that host is not in the hosts: of agent.credentials.deploy-ssh (git.example.com); the agent refused to send it`],
    ];
    const outcomes = await Promise.all(cases.map(async ([what, resource, body, error]) => ({ what, expected: { status: 'failed', error }, outcome: await site.runJob(resource, body) })));
    for (const { what, expected, outcome } of outcomes) expect({ what, ...outcome }).toEqual({ what, ...expected });

    expect(attacker.credentialsSeen()).toEqual([]);
    expect(attacker.requests).toEqual([]);
    expect(sshConnections).toBe(0);
    const everything = JSON.stringify(outcomes) + site.agentLog.join('\n');
    for (const secret of [GITHUB_TOKEN, GIT_TOKEN, gitlab.token, registry.credentials.password, sshKey.privateKey.split('\n')[1] as string]) expect(everything).not.toContain(secret);
  }, 120_000);
});
