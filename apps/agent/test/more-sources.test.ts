import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatherEndoflifeCycles } from '../src/gather/endoflife.ts';
import { gatherGithubTags } from '../src/gather/github-tags.ts';
import { gatherGitlabReleases } from '../src/gather/gitlab.ts';
import type { EtagMemory } from '../src/gather/github.ts';
import { TaskError } from '../src/task-error.ts';
import { startCredentialCatcher } from './helpers/credential-catcher.ts';
import { githubToken, hostPortOf, scoped } from './helpers/credentials.ts';
import { kubernetesCycles, startEndoflifeApi, type EndoflifeStandIn } from './helpers/endoflife-api.ts';
import { makeTags, startGithubApi, type GithubApiStandIn } from './helpers/github-api.ts';
import { makeGitlabReleases, startGitlabApi, type GitlabApiStandIn } from './helpers/gitlab-api.ts';
import { startLocalServer } from './helpers/http-server.ts';
import { captureLogger } from './helpers/logger.ts';

const failure = async (promise: Promise<unknown>): Promise<TaskError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TaskError);
  return error as TaskError;
};

describe('gather GitHub tags (against a GitHub API stand-in)', () => {
  let github: GithubApiStandIn;
  const { logger } = captureLogger();
  const options = (etags: EtagMemory, extra: { etag?: string | null; githubToken?: string; tokenHosts?: string[] } = {}) => ({
    jobId: 'tags-job',
    etag: extra.etag ?? null,
    etags,
    githubToken: extra.githubToken === undefined ? undefined : githubToken(extra.githubToken, extra.tokenHosts ?? [hostPortOf(github.url)]),
    userAgent: 'planekeeper-agent/test',
    logger,
  });
  // 150 tags: two pages of 100; the highest versions are the newest.
  const names = Array.from({ length: 150 }, (_, i) => `release-1.${Math.floor((149 - i) / 10)}.${(149 - i) % 10}`);

  beforeAll(async () => {
    github = await startGithubApi();
    github.tags.set('nginx/nginx', makeTags('nginx', 'nginx', names, github.commits));
  });
  afterAll(() => github.close());

  it('reads every page of tags, dates the newest-looking from their commits, and keeps the ETag', async () => {
    github.requests.length = 0;
    const result = await gatherGithubTags({ owner: 'nginx', repo: 'nginx', baseUrl: github.url }, { ...options(new Map(), { githubToken: 'ghp_tags' }), datedTags: 3 });
    expect(result.releases).toHaveLength(150);
    expect(result.releases[0]).toEqual({ tag: 'release-1.14.9', publishedAt: '2024-05-29T00:00:00.000Z', prerelease: false, url: null });
    expect(result.releases.filter((r) => r.publishedAt !== null).map((r) => r.tag)).toEqual(['release-1.14.9', 'release-1.14.8', 'release-1.14.7']);
    expect(result.etag).toMatch(/^W\/"/);
    const paths = github.requests.map((r) => new URL(r.path, github.url).pathname);
    expect(paths.filter((p) => p.endsWith('/tags'))).toHaveLength(2);
    expect(paths.filter((p) => p.includes('/git/commits/'))).toHaveLength(3);
    expect(github.requests.every((r) => r.authorization === 'token ghp_tags')).toBe(true);
  });

  it('answers notModified to an unchanged repository without reading commits', async () => {
    const first = await gatherGithubTags({ owner: 'nginx', repo: 'nginx', baseUrl: github.url }, options(new Map()));
    github.requests.length = 0;
    const again = await gatherGithubTags({ owner: 'nginx', repo: 'nginx', baseUrl: github.url }, options(new Map(), { etag: first.etag ?? null }));
    expect(again).toEqual({ releases: [], notModified: true, etag: first.etag });
    expect(github.requests).toHaveLength(1);
  });

  it('fails clearly on 404, 401 and an exhausted rate limit', async () => {
    const missing = await failure(gatherGithubTags({ owner: 'nginx', repo: 'nope', baseUrl: github.url }, options(new Map())));
    expect(missing.message).toBe('GitHub repository nginx/nope not found (or not visible to this token)');
    expect(missing.retryable).toBe(false);
    github.rateLimit.remaining = 0;
    try {
      const limited = await failure(gatherGithubTags({ owner: 'nginx', repo: 'nginx', baseUrl: github.url }, options(new Map())));
      expect(limited.message).toMatch(/^GitHub rate limit exceeded; resets at /);
      expect(limited.retryable).toBe(true);
    } finally {
      github.rateLimit.remaining = 5000;
    }
  });
});

describe('GITHUB_TOKEN on a github_tag gather goes only where GITHUB_TOKEN_HOSTS allows', () => {
  let github: GithubApiStandIn;
  const { logger } = captureLogger();
  const options = (token: string, hosts: string[]) => ({ jobId: 'tags-job', etag: null, etags: new Map(), githubToken: githubToken(token, hosts), userAgent: 'planekeeper-agent/test', logger });
  const names = Array.from({ length: 120 }, (_, i) => `v2.${Math.floor((119 - i) / 10)}.${(119 - i) % 10}`);

  beforeAll(async () => {
    github = await startGithubApi();
    github.tags.set('acme/tagged', makeTags('acme', 'tagged', names, github.commits));
  });
  afterAll(() => github.close());

  it('fails a job whose baseUrl is elsewhere before any request, naming the host and never the token', async () => {
    const attacker = await startCredentialCatcher();
    try {
      const error = await failure(gatherGithubTags({ owner: 'acme', repo: 'tagged', baseUrl: attacker.url }, options('ghp_tag_secret', [hostPortOf(github.url)])));
      expect(error.message).toBe(`GITHUB_TOKEN may not be sent to ${hostPortOf(attacker.url)}: that host is not in GITHUB_TOKEN_HOSTS (${hostPortOf(github.url)}); the agent refused to send it`);
      expect(error.retryable).toBe(false);
      expect(attacker.requests).toEqual([]);
    } finally {
      await attacker.close();
    }
  });

  it('follows a page link to another origin without the token, and reads commits only from the API root', async () => {
    const attacker = await startCredentialCatcher();
    github.linkOrigin = attacker.url;
    github.requests.length = 0;
    try {
      const result = await gatherGithubTags({ owner: 'acme', repo: 'tagged', baseUrl: github.url }, { ...options('ghp_tag_secret', [hostPortOf(github.url)]), datedTags: 2 });
      expect(attacker.requests.map((r) => r.path)).toEqual(['/repos/acme/tagged/tags?per_page=100&page=2']);
      expect(attacker.credentialsSeen()).toEqual([]);
      // The attacker's page answered an empty list: only the first page's tags, two of them dated.
      expect(result.releases).toHaveLength(100);
      expect(github.requests.every((r) => r.authorization === 'token ghp_tag_secret')).toBe(true);
      expect(github.requests.filter((r) => r.path.includes('/git/commits/'))).toHaveLength(2);
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
      await gatherGithubTags({ owner: 'acme', repo: 'tagged', baseUrl: redirecting.url }, options('ghp_tag_secret', [hostPortOf(redirecting.url)]));
      expect(attacker.requests).toHaveLength(1);
      expect(attacker.credentialsSeen()).toEqual([]);
    } finally {
      await Promise.all([attacker.close(), redirecting.close()]);
    }
  });
});

describe('gather GitLab releases (against a GitLab API v4 stand-in)', () => {
  let gitlab: GitlabApiStandIn;
  const tags = Array.from({ length: 130 }, (_, i) => `v16.${Math.floor((129 - i) / 10)}.${(129 - i) % 10}`);
  const pat = (token: string, hosts?: string[]) => scoped({ type: 'https_pat' as const, username: 'x-access-token', token }, hosts ?? [hostPortOf(gitlab.url)], 'gitlab-token');

  beforeAll(async () => {
    gitlab = await startGitlabApi();
    gitlab.projects.set('gitlab-org/gitlab-runner', makeGitlabReleases('gitlab-org/gitlab-runner', ['v17.0.0-rc1', ...tags], { upcoming: 1 }));
    gitlab.ids.set('250833', 'gitlab-org/gitlab-runner');
    gitlab.projects.set('acme/platform/deployer', makeGitlabReleases('acme/platform/deployer', ['v2.1.0', 'v2.0.0']));
    gitlab.privateProjects.add('acme/platform/deployer');
  });
  afterAll(() => gitlab.close());

  it('follows x-next-page through every page; an upcoming release is a prerelease', async () => {
    gitlab.requests.length = 0;
    const result = await gatherGitlabReleases({ project: 'gitlab-org/gitlab-runner', baseUrl: gitlab.url }, {});
    expect(result.releases).toHaveLength(131);
    expect(result.releases[0]).toMatchObject({ tag: 'v17.0.0-rc1', prerelease: true, url: 'https://gitlab.example.com/gitlab-org/gitlab-runner/-/releases/v17.0.0-rc1' });
    expect(result.releases[1]).toMatchObject({ tag: 'v16.12.9', prerelease: false });
    expect(Date.parse(result.releases[1]!.publishedAt!)).toBeLessThan(Date.now());
    expect(gitlab.requests.map((r) => r.path)).toEqual([
      '/api/v4/projects/gitlab-org%2Fgitlab-runner/releases?per_page=100&page=1',
      '/api/v4/projects/gitlab-org%2Fgitlab-runner/releases?per_page=100&page=2',
    ]);
  });

  it('takes a numeric project id and an instance URL that already names /api/v4', async () => {
    const result = await gatherGitlabReleases({ project: '250833', baseUrl: `${gitlab.url}/api/v4/` }, { limits: { perPage: 50 } });
    expect(result.releases).toHaveLength(131);
  });

  it('reads a private project with an https_pat credential sent as a bearer token', async () => {
    gitlab.requests.length = 0;
    const result = await gatherGitlabReleases({ project: 'acme/platform/deployer', baseUrl: gitlab.url }, { credential: pat(gitlab.token) });
    expect(result.releases.map((r) => r.tag)).toEqual(['v2.1.0', 'v2.0.0']);
    expect(gitlab.requests[0]?.authorization).toBe(`Bearer ${gitlab.token}`);
  });

  it.each([
    ['a private project without a token (GitLab answers 404)', { project: 'acme/platform/deployer' }, undefined, undefined, 'GitLab project acme/platform/deployer not found (or not visible without a token) (HTTP 404)', false],
    ['a wrong token', { project: 'acme/platform/deployer' }, 'glpat-wrong', undefined, "GitLab refused the job's access token (401 Unauthorized)", false],
    ['a rate limit (429 with RateLimit-Reset)', { project: 'gitlab-org/gitlab-runner' }, undefined, 'rate-limited' as const, /^GitLab rate limit exceeded; resets at \d{4}-/, true],
    ['a server error', { project: 'gitlab-org/gitlab-runner' }, undefined, 'server-error' as const, 'the GitLab API answered HTTP 500 for GitLab project gitlab-org/gitlab-runner', true],
    ['malformed JSON', { project: 'gitlab-org/gitlab-runner' }, undefined, 'malformed' as const, 'the GitLab API answered with invalid JSON (HTTP 200)', true],
  ])('fails clearly on %s', async (_name, source, token, fault, message, retryable) => {
    gitlab.fault = fault;
    try {
      const error = await failure(gatherGitlabReleases({ ...source, baseUrl: gitlab.url }, { credential: token ? pat(token) : undefined }));
      expect(error.message).toMatch(message);
      expect(error.retryable).toBe(retryable);
      if (token) expect(error.message).not.toContain(token);
    } finally {
      gitlab.fault = undefined;
    }
  });

  it('refuses a credential that is not a token', async () => {
    const error = await failure(gatherGitlabReleases({ project: 'a/b', baseUrl: gitlab.url }, { credential: scoped({ type: 'registry_basic', username: 'u', password: 'p' }, [hostPortOf(gitlab.url)]) }));
    expect(error.message).toBe('a GitLab project needs an https_pat credential (an access token), not registry_basic');
  });

  describe('the access token goes only to the hosts its credential lists', () => {
    it('is refused for a GitLab outside them, before any request, naming the host and never the token', async () => {
      const attacker = await startCredentialCatcher();
      try {
        const error = await failure(gatherGitlabReleases({ project: 'acme/platform/deployer', baseUrl: attacker.url }, { credential: pat(gitlab.token) }));
        expect(error.message).toBe(
          `credential gitlab-token may not be sent to ${hostPortOf(attacker.url)}: that host is not in the hosts: of agent.credentials.gitlab-token (${hostPortOf(gitlab.url)}); the agent refused to send it`,
        );
        expect(error.retryable).toBe(false);
        expect(error.message).not.toContain(gitlab.token);
        expect(attacker.requests).toEqual([]);
      } finally {
        await attacker.close();
      }
    });

    it('is refused by a URL prefix that does not cover the API (a group path), and taken by one that does', async () => {
      const group = await failure(gatherGitlabReleases({ project: 'acme/platform/deployer', baseUrl: gitlab.url }, { credential: pat(gitlab.token, [`${gitlab.url}/acme/`]) }));
      expect(group.message).toMatch(/^credential gitlab-token may not be sent to 127\.0\.0\.1:\d+: /);
      const api = await gatherGitlabReleases({ project: 'acme/platform/deployer', baseUrl: gitlab.url }, { credential: pat(gitlab.token, [`${gitlab.url}/api/v4/`]) });
      expect(api.releases.map((r) => r.tag)).toEqual(['v2.1.0', 'v2.0.0']);
    });

    it('reads every page from the API root it was given: a Link header to another origin is not followed', async () => {
      const attacker = await startCredentialCatcher();
      gitlab.linkOrigin = attacker.url;
      gitlab.requests.length = 0;
      try {
        const result = await gatherGitlabReleases({ project: 'gitlab-org/gitlab-runner', baseUrl: gitlab.url }, { credential: pat(gitlab.token) });
        expect(result.releases).toHaveLength(131);
        expect(gitlab.requests).toHaveLength(2);
        expect(gitlab.requests.every((r) => r.authorization === `Bearer ${gitlab.token}`)).toBe(true);
        expect(attacker.requests).toEqual([]);
      } finally {
        gitlab.linkOrigin = undefined;
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
        await gatherGitlabReleases({ project: 'acme/platform/deployer', baseUrl: redirecting.url }, { credential: pat(gitlab.token, [hostPortOf(redirecting.url)]) });
        expect(attacker.requests).toHaveLength(1);
        expect(attacker.credentialsSeen()).toEqual([]);
      } finally {
        await Promise.all([attacker.close(), redirecting.close()]);
      }
    });
  });
});

describe('gather endoflife.date cycles (against an API v1 stand-in)', () => {
  let eol: EndoflifeStandIn;
  const options = { etag: null, userAgent: 'planekeeper-agent/test' };

  beforeAll(async () => {
    eol = await startEndoflifeApi();
    eol.products.set('kubernetes', kubernetesCycles());
    eol.products.set('ubuntu', [{ ...kubernetesCycles()[0]!, name: '24.04', label: '24.04 \'Noble Numbat\' (LTS)', isLts: true, releaseDate: '2024-04-25', latest: null, eoesFrom: '2036-04-25' }]);
  });
  afterAll(() => eol.close());

  it('makes one release per cycle: its latest version, with the cycle and its dates beside it', async () => {
    const result = await gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: eol.url }, options);
    expect(result.releases.map((r) => r.tag)).toEqual(['1.32.1', '1.31.5', '1.30.9', '1.29.13']);
    expect(result.releases[1]).toEqual({
      tag: '1.31.5',
      publishedAt: '2025-01-15T00:00:00.000Z',
      prerelease: false,
      url: 'https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.31.md',
      cycle: {
        name: '1.31', label: '1.31', releaseDate: '2024-08-13', latestVersion: '1.31.5', latestDate: '2025-01-15', lts: false,
        supportEnds: '2025-08-28', supportEnded: false, eolDate: '2025-10-28', eol: false, extendedSupportEnds: null, maintained: true,
      },
    });
    expect(result.etag).toMatch(/^"/);
  });

  it('names a cycle without a latest version by the cycle, dated by its release', async () => {
    const result = await gatherEndoflifeCycles({ product: 'ubuntu', baseUrl: eol.url }, options);
    expect(result.releases[0]).toMatchObject({ tag: '24.04', publishedAt: '2024-04-25T00:00:00.000Z', url: null, cycle: { lts: true, latestVersion: null, extendedSupportEnds: '2036-04-25' } });
  });

  it('asks conditionally and reports an unchanged product as notModified', async () => {
    const first = await gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: eol.url }, options);
    const again = await gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: eol.url }, { ...options, etag: first.etag ?? null });
    expect(again).toEqual({ releases: [], notModified: true, etag: first.etag });
  });

  it.each([
    ['an unknown product', 'nope', undefined, `endoflife.date has no product "nope" (HTTP 404); see`, false],
    ['a server error', 'kubernetes', 'server-error' as const, 'the endoflife.date API answered HTTP 503 for kubernetes', true],
    ['malformed JSON', 'kubernetes', 'malformed' as const, 'the endoflife.date API answered with invalid JSON (HTTP 200)', true],
    ['a document that is not a product', 'kubernetes', 'not-a-product' as const, 'the endoflife.date API answered without result.releases for kubernetes', false],
  ])('fails clearly on %s', async (_name, product, fault, message, retryable) => {
    eol.fault = fault;
    try {
      const error = await failure(gatherEndoflifeCycles({ product, baseUrl: eol.url }, options));
      expect(error.message).toContain(message);
      expect(error.retryable).toBe(retryable);
    } finally {
      eol.fault = undefined;
    }
  });

  describe('a mirror behind basic auth', () => {
    const mirrorAuth = { username: 'eol-reader', password: 'eol_secret_pw' };

    it('gets the credential when its hosts list the mirror, and answers 401 clearly without it', async () => {
      eol.basicAuth = mirrorAuth;
      eol.requests.length = 0;
      try {
        const credential = scoped({ type: 'registry_basic' as const, ...mirrorAuth }, [hostPortOf(eol.url)], 'eol-mirror');
        const result = await gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: eol.url }, { ...options, credential });
        expect(result.releases).toHaveLength(4);
        expect(eol.requests[0]?.authorization).toBe(`Basic ${Buffer.from('eol-reader:eol_secret_pw').toString('base64')}`);
        const refused = await failure(gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: eol.url }, options));
        expect(refused.message).toBe(`the endoflife.date API at ${hostPortOf(eol.url)} refused a request without a credential (HTTP 401)`);
        expect(refused.retryable).toBe(false);
      } finally {
        eol.basicAuth = undefined;
      }
    });

    it('refuses to send the credential to a host outside its hosts:, before any request', async () => {
      const attacker = await startCredentialCatcher();
      try {
        const credential = scoped({ type: 'https_pat' as const, username: 'eol-reader', token: 'eol_secret_token' }, [hostPortOf(eol.url)], 'eol-mirror');
        const error = await failure(gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: attacker.url }, { ...options, credential }));
        expect(error.message).toBe(
          `credential eol-mirror may not be sent to ${hostPortOf(attacker.url)}: that host is not in the hosts: of agent.credentials.eol-mirror (${hostPortOf(eol.url)}); the agent refused to send it`,
        );
        expect(error.message).not.toContain('eol_secret_token');
        expect(attacker.requests).toEqual([]);
      } finally {
        await attacker.close();
      }
    });

    it('refuses an ssh key', async () => {
      const credential = scoped({ type: 'ssh_key' as const, privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\n', passphrase: undefined }, [hostPortOf(eol.url)]);
      const error = await failure(gatherEndoflifeCycles({ product: 'kubernetes', baseUrl: eol.url }, { ...options, credential }));
      expect(error.message).toBe('an endoflife.date mirror needs a registry_basic or https_pat credential, not ssh_key');
    });
  });
});
