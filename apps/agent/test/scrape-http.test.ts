import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Credential } from '../src/credentials.ts';
import { fetchRepositoryFile } from '../src/scrape/git.ts';
import { startCredentialCatcher } from './helpers/credential-catcher.ts';
import { hostPortOf, scoped } from './helpers/credentials.ts';
import { countObjects, createTestRepository, type TestRepository } from './helpers/git-repo.ts';
import { startGitHttpServer, type GitHttpServer } from './helpers/git-http-server.ts';
import { startLocalServer } from './helpers/http-server.ts';

const TOKEN = 'ghp_planekeeperTestToken0123456789';

describe('scrape over https with a PAT (git http-backend on 127.0.0.1)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pk-git-http-'));
  const cacheDir = join(root, 'cache');
  let repo: TestRepository;
  let server: GitHttpServer;
  let firstCommit: string;
  let pat: Credential;
  const options = (extra: Partial<Parameters<typeof fetchRepositoryFile>[1]> = {}) => ({
    cacheDir,
    credential: pat,
    childEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    ...extra,
  });

  beforeAll(async () => {
    repo = createTestRepository(join(root, 'served', 'storefront'));
    firstCommit = repo.commit({
      'deploy/chart/Chart.yaml': 'apiVersion: v2\nname: storefront\nversion: 1.29.3\n',
      'deploy/values.yaml': 'image:\n  tag: 4.2.0\n',
      'big.txt': 'x'.repeat(2 * 1024 * 1024),
      'evil.yaml': { symlink: '../../../../etc/passwd' },
      'etc-link': { symlink: '/etc' },
    });
    server = await startGitHttpServer(join(root, 'served'), TOKEN);
    pat = scoped({ type: 'https_pat', username: 'x-access-token', token: TOKEN }, [hostPortOf(server.url)], 'deploy-repo');
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const url = () => `${server.url}/storefront`;

  it('fetches one file at a branch, shallow, and reports the commit', async () => {
    server.requests.length = 0;
    const file = await fetchRepositoryFile({ repoUrl: url(), ref: 'main', filePath: 'deploy/chart/Chart.yaml' }, options());
    expect(file.text).toContain('version: 1.29.3');
    expect(file.commitSha).toBe(firstCommit);
    expect(file.repositoryDir.startsWith(join(cacheDir, 'git'))).toBe(true);
    expect(server.requests.filter((r) => r.path.endsWith('/git-upload-pack')).reduce((sum, r) => sum + r.bytes, 0)).toBeGreaterThan(1024);
    expect(repo.git('rev-parse', '--is-shallow-repository')).toBe('false');
    expect(readFileSync(join(file.repositoryDir, 'shallow'), 'utf8').trim()).toBe(firstCommit);
  });

  it('reuses the cache: a second scrape of an unchanged repository downloads no objects', async () => {
    const before = await fetchRepositoryFile({ repoUrl: url(), ref: 'main', filePath: 'deploy/values.yaml' }, options());
    const objects = countObjects(before.repositoryDir);
    server.requests.length = 0;
    const again = await fetchRepositoryFile({ repoUrl: url(), ref: 'main', filePath: 'deploy/values.yaml' }, options());
    expect(again.repositoryDir).toBe(before.repositoryDir);
    expect(again.commitSha).toBe(firstCommit);
    expect(countObjects(again.repositoryDir)).toBe(objects);
    // Ref listing and a negotiation that answers no objects: a few hundred bytes, where the first
    // fetch sent every blob of the commit (the 2 MB file alone packs to ~2 KB).
    const sent = server.requests.filter((r) => r.path.endsWith('/git-upload-pack')).reduce((sum, r) => sum + r.bytes, 0);
    expect(sent).toBeLessThan(512);
  });

  it('sees a new commit on the next scrape and downloads only what changed', async () => {
    const before = await fetchRepositoryFile({ repoUrl: url(), ref: 'main', filePath: 'deploy/values.yaml' }, options());
    const objects = countObjects(before.repositoryDir);
    const second = repo.commit({ 'deploy/values.yaml': 'image:\n  tag: 4.3.0\n' }, 'bump storefront');
    const after = await fetchRepositoryFile({ repoUrl: url(), ref: 'main', filePath: 'deploy/values.yaml' }, options());
    expect(after.commitSha).toBe(second);
    expect(after.text).toBe('image:\n  tag: 4.3.0\n');
    // The new commit, its changed trees (root, deploy) and the changed blob; the 2 MB blob is not sent again.
    expect(countObjects(after.repositoryDir) - objects).toBeLessThanOrEqual(4);
  });

  it('reads a file at a tag and at a commit sha', async () => {
    repo.git('tag', 'v1.0.0', firstCommit);
    const atTag = await fetchRepositoryFile({ repoUrl: url(), ref: 'v1.0.0', filePath: 'deploy/values.yaml' }, options());
    expect(atTag).toMatchObject({ commitSha: firstCommit, text: 'image:\n  tag: 4.2.0\n' });
    const atSha = await fetchRepositoryFile({ repoUrl: url(), ref: firstCommit, filePath: 'deploy/values.yaml' }, options());
    expect(atSha.commitSha).toBe(firstCommit);
  });

  it.each([
    ['../../etc/passwd', /^filePath must not contain \.\. segments; refusing to read outside the repository$/],
    ['/etc/passwd', /^filePath must be relative to the repository root/],
    ['evil.yaml', /^evil\.yaml is a symbolic link in the repository; refusing to follow it/],
    ['etc-link/passwd', /^etc-link is a symbolic link in the repository; refusing to follow it/],
    ['big.txt', /^big\.txt is 2097152 bytes; files read by a scrape may be at most 1048576 bytes$/],
    ['deploy/missing.yaml', /^deploy\/missing\.yaml does not exist at main \(commit [0-9a-f]{12}\)$/],
    ['deploy', /^deploy is a directory, not a file$/],
  ])('refuses %s', async (filePath, message) => {
    await expect(fetchRepositoryFile({ repoUrl: url(), ref: 'main', filePath }, options())).rejects.toMatchObject({ message: expect.stringMatching(message), retryable: false });
  });

  it('fails clearly for a ref that does not exist', async () => {
    await expect(fetchRepositoryFile({ repoUrl: url(), ref: 'release-9', filePath: 'deploy/values.yaml' }, options())).rejects.toMatchObject({
      message: expect.stringMatching(/^ref release-9 not found in http:\/\/127\.0\.0\.1:\d+\/storefront/),
      retryable: false,
    });
  });

  it('fails clearly on a wrong token, without ever printing a token', async () => {
    const error = (await fetchRepositoryFile(
      { repoUrl: url(), ref: 'main', filePath: 'deploy/values.yaml' },
      options({ credential: scoped({ type: 'https_pat', username: 'x-access-token', token: 'ghp_wrong' }, [hostPortOf(server.url)]) }),
    ).catch((e: unknown) => e)) as Error & { retryable: boolean };
    expect(error.message).toMatch(/^git could not authenticate to http:\/\/127\.0\.0\.1:\d+\/storefront: /);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('ghp_');
    expect(JSON.stringify(error)).not.toContain('ghp_');
  });

  it('refuses URLs that would run commands or read the local disk', async () => {
    for (const repoUrl of ['ext::sh -c touch% /tmp/pwned', `file://${repo.dir}`, '--upload-pack=touch /tmp/pwned']) {
      await expect(fetchRepositoryFile({ repoUrl, ref: 'main', filePath: 'deploy/values.yaml' }, options({ credential: undefined }))).rejects.toMatchObject({ retryable: false });
    }
  });

  it('reports an unreachable server as retryable', async () => {
    await expect(
      fetchRepositoryFile({ repoUrl: 'http://127.0.0.1:9/nothing', ref: 'main', filePath: 'a.yaml' }, options({ credential: scoped(pat, ['127.0.0.1:9']) })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^git fetch of http:\/\/127\.0\.0\.1:9\/nothing failed: /), retryable: true });
  });

  it('refuses to send the PAT to a host outside its hosts, before git runs', async () => {
    const attacker = await startCredentialCatcher();
    try {
      await expect(fetchRepositoryFile({ repoUrl: `${attacker.url}/storefront`, ref: 'main', filePath: 'deploy/values.yaml' }, options())).rejects.toMatchObject({
        message: `credential deploy-repo may not be sent to ${hostPortOf(attacker.url)}: that host is not in the hosts: of agent.credentials.deploy-repo (${hostPortOf(server.url)}); the agent refused to send it`,
        retryable: false,
      });
      expect(attacker.requests).toEqual([]);
    } finally {
      await attacker.close();
    }
  });

  it('does not follow a redirect with the PAT: git would send its extra header to the host the redirect names', async () => {
    // The attacker serves the repository to anyone: git 2.39 then posts git-upload-pack there with
    // http.extraHeader (curl drops the header only on the redirected request itself).
    const attacker = await startGitHttpServer(join(root, 'served'), null);
    const redirecting = await startLocalServer((req, res) => {
      res.writeHead(301, { location: `${attacker.url}${req.url ?? '/'}` });
      res.end();
    });
    try {
      const error = await fetchRepositoryFile(
        { repoUrl: `${redirecting.url}/storefront`, ref: 'main', filePath: 'deploy/values.yaml' },
        options({ credential: scoped({ type: 'https_pat', username: 'x-access-token', token: TOKEN }, [hostPortOf(redirecting.url)], 'deploy-repo') }),
      ).catch((e: unknown) => e);
      expect(attacker.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
      expect(error).toMatchObject({
        message: expect.stringMatching(/^the repository at http:\/\/127\.0\.0\.1:\d+\/storefront redirects elsewhere; the agent follows no redirect with a credential: set repoUrl to where the repository is now/),
        retryable: false,
      });
    } finally {
      await Promise.all([attacker.close(), redirecting.close()]);
    }
  });
});
