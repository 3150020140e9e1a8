import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatherGithubReleases, type EtagMemory } from '../src/gather/github.ts';
import { TaskError } from '../src/task-error.ts';
import { makeReleases, startGithubApi, type GithubApiStandIn } from './helpers/github-api.ts';
import { closedPort } from './helpers/http-server.ts';
import { captureLogger } from './helpers/logger.ts';

describe('gather from GitHub releases (against a GitHub API stand-in)', () => {
  let github: GithubApiStandIn;
  const { logger } = captureLogger();
  const options = (etags: EtagMemory, extra: { etag?: string | null; githubToken?: string } = {}) => ({
    jobId: 'job-1',
    etag: extra.etag ?? null,
    etags,
    githubToken: extra.githubToken,
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
});
