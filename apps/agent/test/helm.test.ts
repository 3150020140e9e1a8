import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatherHelmChart } from '../src/gather/helm.ts';
import { syncHelmRepository } from '../src/helm-sync.ts';
import { startCredentialCatcher } from './helpers/credential-catcher.ts';
import { hostPortOf, scoped } from './helpers/credentials.ts';
import { helmIndexYaml, manyCharts, startHelmRepo, type HelmRepoStandIn } from './helpers/helm-repo.ts';
import { startLocalServer } from './helpers/http-server.ts';

describe('Helm repositories (against a local chart repository)', () => {
  let repo: HelmRepoStandIn;

  let credential: ReturnType<typeof scoped<{ type: 'registry_basic'; username: string; password: string }>>;

  beforeAll(async () => {
    repo = await startHelmRepo();
    credential = scoped({ type: 'registry_basic', username: 'charts', password: 's3cret' }, [hostPortOf(repo.url)], 'charts');
    repo.files.set(
      '/stable/index.yaml',
      helmIndexYaml(
        [
          { name: 'nginx', version: '18.1.8', appVersion: '1.27.1', created: '2024-08-13T10:37:52.108254612Z' },
          { name: 'nginx', version: '18.2.0-rc.1', appVersion: '1.27.2', created: '2024-08-20T08:00:00.5+02:00' },
          { name: 'nginx', version: '1.10.0', appVersion: '1.10', created: 'not a date' },
          { name: 'redis', version: '20.0.1', appVersion: '7.4.0', created: '2024-08-09T00:00:00Z' },
          { name: 'postgresql', version: '15.5.20', appVersion: '16.4.0', created: '2024-08-01T00:00:00Z' },
        ],
        `${repo.url}/stable`,
      ),
    );
    // About 10 MB: 420 charts x 30 versions, as large as the big public indexes are today.
    repo.files.set('/big/index.yaml', helmIndexYaml(manyCharts(420, 30), `${repo.url}/big`));
  });
  afterAll(async () => {
    await repo.close();
  });

  it('reads one chart: versions, created dates, SemVer prereleases and chart URLs', async () => {
    const result = await gatherHelmChart({ repoUrl: `${repo.url}/stable`, chart: 'nginx' }, {});
    expect(repo.requests.at(-1)).toBe('/stable/index.yaml');
    expect(result.releases).toEqual([
      { tag: '18.1.8', publishedAt: '2024-08-13T10:37:52.108Z', prerelease: false, url: `${repo.url}/stable/nginx-18.1.8.tgz` },
      { tag: '18.2.0-rc.1', publishedAt: '2024-08-20T06:00:00.500Z', prerelease: true, url: `${repo.url}/stable/nginx-18.2.0-rc.1.tgz` },
      { tag: '1.10.0', publishedAt: null, prerelease: false, url: `${repo.url}/stable/nginx-1.10.0.tgz` },
    ]);
  });

  it('fails clearly for a chart the index does not list', async () => {
    await expect(gatherHelmChart({ repoUrl: `${repo.url}/stable/`, chart: 'mysql' }, {})).rejects.toMatchObject({
      message: `chart mysql is not in the Helm repository index ${repo.url}/stable/index.yaml (3 charts listed)`,
      retryable: false,
    });
  });

  it('fails clearly when there is no index', async () => {
    await expect(gatherHelmChart({ repoUrl: `${repo.url}/missing`, chart: 'nginx' }, {})).rejects.toMatchObject({
      message: `no Helm repository index at ${repo.url}/missing/index.yaml (HTTP 404)`,
      retryable: false,
    });
  });

  it('sends basic auth from a registry_basic or https_pat credential, and says so when it is missing', async () => {
    repo.setAuth({ username: 'charts', password: 's3cret' });
    try {
      await expect(gatherHelmChart({ repoUrl: `${repo.url}/stable`, chart: 'redis' }, {})).rejects.toMatchObject({
        message: expect.stringContaining('refused access') as unknown as string,
        retryable: false,
      });
      const withBasic = await gatherHelmChart({ repoUrl: `${repo.url}/stable`, chart: 'redis' }, { credential });
      expect(withBasic.releases.map((r) => r.tag)).toEqual(['20.0.1']);
      const withPat = await gatherHelmChart(
        { repoUrl: `${repo.url}/stable`, chart: 'redis' },
        { credential: scoped({ type: 'https_pat', username: 'charts', token: 's3cret' }, [`${repo.url}/stable`]) },
      );
      expect(withPat.releases).toHaveLength(1);
    } finally {
      repo.setAuth(undefined);
    }
  });

  it('reads one chart of a 10 MB index, parsing only that chart', async () => {
    const size = Buffer.byteLength(repo.files.get('/big/index.yaml') ?? '');
    expect(size).toBeGreaterThan(10 * 1024 * 1024);
    const started = Date.now();
    const result = await gatherHelmChart({ repoUrl: `${repo.url}/big`, chart: 'chart-0419' }, {});
    expect(result.releases).toHaveLength(30);
    expect(result.releases[0]).toMatchObject({ tag: '1.29.0', publishedAt: '2023-01-02T05:00:00.000Z' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails clearly when the index is larger than the limit', async () => {
    await expect(gatherHelmChart({ repoUrl: `${repo.url}/big`, chart: 'chart-0001' }, { maxBytes: 1024 * 1024 })).rejects.toMatchObject({
      message: `the Helm repository index ${repo.url}/big/index.yaml is larger than the 1 MB limit`,
      retryable: false,
    });
  });

  it('helm_sync reports every chart with its versions, and the chart filter narrows them', async () => {
    const all = await syncHelmRepository({ repoUrl: `${repo.url}/stable` }, {});
    expect(all.charts).toEqual([
      { name: 'nginx', versions: ['18.1.8', '18.2.0-rc.1', '1.10.0'] },
      { name: 'postgresql', versions: ['15.5.20'] },
      { name: 'redis', versions: ['20.0.1'] },
    ]);
    const filtered = await syncHelmRepository({ repoUrl: `${repo.url}/stable`, chartFilter: '^(nginx|redis)$' }, {});
    expect(filtered.charts.map((c) => c.name)).toEqual(['nginx', 'redis']);
    await expect(syncHelmRepository({ repoUrl: `${repo.url}/stable`, chartFilter: '^(?!redis)' }, {})).rejects.toMatchObject({
      message: 'chart filter uses a lookahead ((?!...), which is not supported: patterns use RE2 syntax, which has no lookaround or backreferences',
      retryable: false,
    });
  });

  it('helm_sync reads all 420 charts of the 10 MB index', async () => {
    const result = await syncHelmRepository({ repoUrl: `${repo.url}/big`, chartFilter: null }, {});
    expect(result.charts).toHaveLength(420);
    expect(result.charts.every((chart) => chart.versions.length === 30)).toBe(true);
  });

  it('sends a request once more when the server drops the connection before answering, and only once', async () => {
    // What a kept-alive connection the server closed just as it was reused looks like.
    let arrivals = 0;
    let dropAll = false;
    const flaky = await startLocalServer((req, res) => {
      arrivals++;
      if (dropAll || arrivals === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(helmIndexYaml([{ name: 'redis', version: '20.0.1', appVersion: '7.4.0', created: '2024-08-09T00:00:00Z' }], flaky.url));
    });
    try {
      await expect(gatherHelmChart({ repoUrl: flaky.url, chart: 'redis' }, {})).resolves.toMatchObject({ releases: [expect.objectContaining({ tag: '20.0.1' })] });
      expect(arrivals).toBe(2);
      dropAll = true;
      arrivals = 0;
      await expect(gatherHelmChart({ repoUrl: flaky.url, chart: 'redis' }, {})).rejects.toMatchObject({ message: expect.stringContaining('ECONNRESET'), retryable: true });
      expect(arrivals).toBe(2);
    } finally {
      await flaky.close();
    }
  });

  describe('the credential goes only to the hosts it lists', () => {
    it('refuses a repository outside them before any request, for gather and helm_sync alike', async () => {
      const attacker = await startCredentialCatcher();
      try {
        for (const run of [
          () => gatherHelmChart({ repoUrl: attacker.url, chart: 'redis' }, { credential }),
          () => syncHelmRepository({ repoUrl: attacker.url }, { credential }),
        ]) {
          await expect(run()).rejects.toMatchObject({
            message: `credential charts may not be sent to ${hostPortOf(attacker.url)}: that host is not in the hosts: of agent.credentials.charts (${hostPortOf(repo.url)}); the agent refused to send it`,
            retryable: false,
          });
        }
        expect(attacker.requests).toEqual([]);
      } finally {
        await attacker.close();
      }
    });

    it('keeps a URL prefix to its path: another path of the same host gets nothing', async () => {
      const prefixed = scoped({ type: 'registry_basic', username: 'charts', password: 's3cret' }, [`${repo.url}/stable/`], 'charts');
      await expect(gatherHelmChart({ repoUrl: `${repo.url}/stable`, chart: 'redis' }, { credential: prefixed })).resolves.toMatchObject({ releases: [expect.objectContaining({ tag: '20.0.1' })] });
      await expect(gatherHelmChart({ repoUrl: `${repo.url}/big`, chart: 'redis' }, { credential: prefixed })).rejects.toMatchObject({ retryable: false });
    });

    it('drops the credential on a redirect to another origin', async () => {
      const attacker = await startCredentialCatcher();
      attacker.respond = () => ({ status: 200, headers: { 'content-type': 'text/yaml' }, body: repo.files.get('/stable/index.yaml') ?? '' });
      const redirecting = await startLocalServer((req, res) => {
        res.writeHead(302, { location: `${attacker.url}${req.url ?? '/'}` });
        res.end();
      });
      try {
        const sneaky = scoped({ type: 'registry_basic', username: 'charts', password: 's3cret' }, [hostPortOf(redirecting.url)], 'charts');
        await gatherHelmChart({ repoUrl: redirecting.url, chart: 'redis' }, { credential: sneaky });
        expect(attacker.requests.map((r) => r.path)).toEqual(['/index.yaml']);
        expect(attacker.credentialsSeen()).toEqual([]);
      } finally {
        await Promise.all([attacker.close(), redirecting.close()]);
      }
    });
  });
});
