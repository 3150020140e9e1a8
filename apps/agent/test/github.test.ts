import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatherGithubReleases, type EtagMemory } from '../src/gather/github.ts';
import { TaskError } from '../src/task-error.ts';
import { startCredentialCatcher } from './helpers/credential-catcher.ts';
import { githubToken, hostPortOf } from './helpers/credentials.ts';
import { makeReleases, startGithubApi, type GithubApiStandIn } from './helpers/github-api.ts';
import { closedPort, startLocalServer } from './helpers/http-server.ts';
import { captureLogger } from './helpers/logger.ts';

describe('gather from GitHub releases (against a GitHub API stand-in)', () => {
  let github: GithubApiStandIn;
  const { logger } = captureLogger();
  const options = (etags: EtagMemory, extra: { etag?: string | null; githubToken?: string; tokenHosts?: string[] } = {}) => ({
    jobId: 'job-1',
    etag: extra.etag ?? null,
    etags,
    githubToken: extra.githubToken === undefined ? undefined : githubToken(extra.githubToken, extra.tokenHosts ?? [hostPortOf(github.url)]),
    userAgent: 'planekeeper-agent/test',
    logger,
  });

  beforeAll(async () => {
    github = await startGithubApi();
    github.repos.set('acme/rocket', makeReleases('acme', 'rocket', 250));
    github.repos.set('acme/tiny', makeReleases('acme', 'tiny', 3));
  });
  afterAll(() => github.close());

  it('reads every page, skips drafts and keeps tag, date, prerelease flag and page URL', async () => {
    github.requests.length = 0;
    const result = await gatherGithubReleases({ owner: 'acme', repo: 'rocket', baseUrl: github.url }, options(new Map(), { githubToken: 'ghp_test' }));
    expect(github.requests.map((r) => new URL(r.path, github.url).searchParams.get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(github.requests[0]?.authorization).toBe('token ghp_test');
    expect(result.releases).toHaveLength(249);
    expect(result.releases[0]).toEqual({
      tag: 'v1.24.8-rc.1',
      publishedAt: '2024-09-05T00:00:00.000Z',
      prerelease: true,
      url: 'https://github.com/acme/rocket/releases/tag/v1.24.8-rc.1',
    });
    expect(result.releases.find((r) => r.tag === 'v1.24.7')).toMatchObject({ prerelease: false, publishedAt: '2024-09-04T00:00:00.000Z' });
    expect(result.releases.some((r) => r.tag === 'v1.24.9')).toBe(false);
    expect(result.etag).toMatch(/^W\/"/);
  });

  it('sends the ETag from the task spec and reports 304 as notModified without using rate limit', async () => {
    const first = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: github.url }, options(new Map()));
    const remaining = github.rateLimit.remaining;
    github.requests.length = 0;
    const second = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: github.url }, options(new Map(), { etag: first.etag ?? null }));
    expect(github.requests[0]?.ifNoneMatch).toBe(first.etag);
    expect(second).toEqual({ releases: [], notModified: true, etag: first.etag });
    expect(github.rateLimit.remaining).toBe(remaining);
  });

  it('remembers the ETag per job when the spec carries none, and sees a new release', async () => {
    const etags: EtagMemory = new Map();
    await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: github.url }, options(etags));
    expect(etags.get('job-1')).toMatch(/^W\/"/);
    const unchanged = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: github.url }, options(etags));
    expect(unchanged.notModified).toBe(true);

    const releases = github.repos.get('acme/tiny') ?? [];
    releases.unshift({ ...(releases[1] as (typeof releases)[number]), id: 9999, tag_name: 'v2.0.0', draft: false, html_url: 'https://github.com/acme/tiny/releases/tag/v2.0.0' });
    const changed = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: github.url }, options(etags));
    expect(changed.notModified).toBeUndefined();
    expect(changed.releases.map((r) => r.tag)).toContain('v2.0.0');
    expect(etags.get('job-1')).toBe(changed.etag);
  });

  it('reports an exhausted rate limit as a retryable failure with the reset time', async () => {
    github.rateLimit.remaining = 0;
    try {
      const error = await gatherGithubReleases({ owner: 'acme', repo: 'rocket', baseUrl: github.url }, options(new Map())).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskError);
      expect((error as TaskError).message).toBe(`GitHub rate limit exceeded; resets at ${new Date(github.rateLimit.resetEpochSeconds * 1000).toISOString()}`);
      expect((error as TaskError).retryable).toBe(true);
    } finally {
      github.rateLimit.remaining = 5000;
    }
  });

  it('reports a missing repository as a failure that retrying will not fix', async () => {
    const error = await gatherGithubReleases({ owner: 'acme', repo: 'nope', baseUrl: github.url }, options(new Map())).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'GitHub repository acme/nope not found (or not visible to this token)', retryable: false });
  });

  it('reports an unreachable GitHub as retryable', async () => {
    const error = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: `http://127.0.0.1:${await closedPort()}` }, options(new Map())).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/could not reach the GitHub API for acme\/tiny: ECONNREFUSED/);
  });

  describe('GITHUB_TOKEN goes only where GITHUB_TOKEN_HOSTS allows', () => {
    it('fails a job whose baseUrl is elsewhere before any request, naming the host', async () => {
      const attacker = await startCredentialCatcher();
      try {
        const error = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: attacker.url }, options(new Map(), { githubToken: 'ghp_secret_token' })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TaskError);
        expect(error).toMatchObject({
          message: `GITHUB_TOKEN may not be sent to ${hostPortOf(attacker.url)}: that host is not in GITHUB_TOKEN_HOSTS (${hostPortOf(github.url)}); the agent refused to send it`,
          retryable: false,
        });
        expect((error as Error).message).not.toContain('ghp_secret_token');
        expect(attacker.requests).toEqual([]);
      } finally {
        await attacker.close();
      }
    });

    it('defaults to api.github.com: a GitHub Enterprise server must be listed', async () => {
      const error = await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: github.url }, options(new Map(), { githubToken: 'ghp_x', tokenHosts: ['api.github.com'] })).catch((e: unknown) => e);
      expect(error).toMatchObject({ message: expect.stringMatching(/^GITHUB_TOKEN may not be sent to 127\.0\.0\.1:\d+: that host is not in GITHUB_TOKEN_HOSTS \(api\.github\.com\)/), retryable: false });
    });

    it('follows a page link to another origin without the token', async () => {
      const attacker = await startCredentialCatcher();
      github.linkOrigin = attacker.url;
      github.requests.length = 0;
      try {
        const result = await gatherGithubReleases({ owner: 'acme', repo: 'rocket', baseUrl: github.url }, options(new Map(), { githubToken: 'ghp_secret_token' }));
        expect(github.requests[0]?.authorization).toBe('token ghp_secret_token');
        expect(attacker.requests.map((r) => r.path)).toEqual(['/repos/acme/rocket/releases?per_page=100&page=2']);
        expect(attacker.credentialsSeen()).toEqual([]);
        expect(result.releases).toHaveLength(99);
      } finally {
        github.linkOrigin = undefined;
        await attacker.close();
      }
    });

    it('loses the token on a redirect to another origin', async () => {
      const attacker = await startCredentialCatcher();
      const redirecting = await startLocalServer((req, res) => {
        res.writeHead(302, { location: `${attacker.url}${req.url ?? '/'}` });
        res.end();
      });
      try {
        await gatherGithubReleases({ owner: 'acme', repo: 'tiny', baseUrl: redirecting.url }, options(new Map(), { githubToken: 'ghp_secret_token', tokenHosts: [hostPortOf(redirecting.url)] }));
        expect(attacker.requests).toHaveLength(1);
        expect(attacker.credentialsSeen()).toEqual([]);
      } finally {
        await Promise.all([attacker.close(), redirecting.close()]);
      }
    });
  });
});
