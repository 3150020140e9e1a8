import { createHash } from 'node:crypto';
import { basicCredentials, startLocalServer, type LocalServer } from './http-server.ts';

/** One chart version of an index, in the fields Helm writes. */
export interface ChartVersion {
  name: string;
  version: string;
  appVersion: string;
  created: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** An index.yaml as `helm repo index` writes it (no indent before list items, quoted dates). */
export function helmIndexYaml(charts: ChartVersion[], baseUrl: string): string {
  const byName = new Map<string, ChartVersion[]>();
  for (const chart of charts) byName.set(chart.name, [...(byName.get(chart.name) ?? []), chart]);
  const lines = ['apiVersion: v1', 'entries:'];
  for (const [name, versions] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${name}:`);
    for (const v of versions) {
      lines.push(
        '  - annotations:',
        '      category: Infrastructure',
        '      licenses: Apache-2.0',
        '    apiVersion: v2',
        `    appVersion: ${v.appVersion}`,
        `    created: "${v.created}"`,
        '    dependencies:',
        '    - name: common',
        '      repository: oci://registry-1.docker.io/bitnamicharts',
        '      tags:',
        '      - bitnami-common',
        '      version: 2.x.x',
        '    description: |-',
        `      ${name} is packaged for Kubernetes.`,
        '      entries:',
        '        not-a-chart: this line only looks like an entry',
        `    digest: ${digest(`${v.name}-${v.version}`)}`,
        '    home: https://example.com',
        '    keywords:',
        `    - ${name}`,
        '    maintainers:',
        '    - name: Platform Team',
        '      url: https://example.com/team',
        `    name: ${name}`,
        '    sources:',
        `    - https://github.com/example/charts/tree/main/${name}`,
        '    urls:',
        `    - ${baseUrl}/${name}-${v.version}.tgz`,
        `    version: ${v.version}`,
      );
    }
  }
  lines.push('generated: "2024-08-13T10:37:52.108254612Z"', 'serverInfo: {}', '');
  return lines.join('\n');
}

/** `count` charts with `perChart` versions each (~1.1 KB per version). */
export function manyCharts(count: number, perChart: number): ChartVersion[] {
  const charts: ChartVersion[] = [];
  for (let c = 0; c < count; c++) {
    for (let v = perChart - 1; v >= 0; v--) {
      charts.push({
        name: `chart-${String(c).padStart(4, '0')}`,
        version: `1.${v}.0`,
        appVersion: `3.${v}.1`,
        created: new Date(Date.UTC(2023, 0, 1) + v * 3_600_000).toISOString().replace('Z', '123456Z'),
      });
    }
  }
  return charts;
}

/** A Helm chart repository: index.yaml files by path, optionally behind basic auth. */
export interface HelmRepoStandIn extends LocalServer {
  files: Map<string, string>;
  /** Requires these basic credentials from now on (undefined: open to all). */
  setAuth(auth: { username: string; password: string } | undefined): void;
  requests: string[];
}

/** Serves `files` (path -> body) from 127.0.0.1, answering 401 with a Basic challenge when `auth` is set. */
export async function startHelmRepo(): Promise<HelmRepoStandIn> {
  const files = new Map<string, string>();
  const requests: string[] = [];
  const state: { auth: { username: string; password: string } | undefined } = { auth: undefined };
  const local = await startLocalServer((req, res) => {
    requests.push(req.url ?? '/');
    if (state.auth !== undefined) {
      const given = basicCredentials(req);
      if (given?.username !== state.auth.username || given.password !== state.auth.password) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"', 'content-type': 'text/plain' });
        res.end('401 Unauthorized');
        return;
      }
    }
    const body = files.get((req.url ?? '/').split('?')[0] ?? '/');
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/yaml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return Object.assign(local, {
    files,
    requests,
    setAuth: (auth: { username: string; password: string } | undefined) => {
      state.auth = auth;
    },
  });
}
