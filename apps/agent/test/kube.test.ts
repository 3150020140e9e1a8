import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { KubeSettings } from '../src/config.ts';
import { readHelmRelease } from '../src/kube/helm-release.ts';
import { readWorkloadVersion } from '../src/kube/workloads.ts';
import { TaskError } from '../src/task-error.ts';
import { helmReleaseSecret, startKubeApi, type KubeApiStandIn } from './helpers/kube-api.ts';

// The kubernetes and helm_release scrapes against a stand-in of the Kubernetes API server.

let kube: KubeApiStandIn;
let settings: KubeSettings;
const digest = `sha256:${'d'.repeat(64)}`;

const failure = async (promise: Promise<unknown>): Promise<TaskError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TaskError);
  return error as TaskError;
};

beforeAll(async () => {
  kube = await startKubeApi();
  settings = { cluster: 'standin', namespaces: ['web', 'cert-manager'], source: { kind: 'kubeconfig', path: kube.writeKubeconfig() } };
});
afterAll(() => kube.close());
beforeEach(() => {
  kube.workloads.length = 0;
  kube.secrets.length = 0;
  kube.faults.length = 0;
  kube.requests.length = 0;
});

const nginx = (name: string, image: string, kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' = 'Deployment', extra: { name: string; image: string }[] = []) => ({
  kind,
  namespace: 'web',
  name,
  labels: { 'app.kubernetes.io/name': 'nginx', tier: 'edge' },
  containers: [{ name: 'nginx', image }, ...extra],
});

describe('kubernetes scrape', () => {
  it('reports the image tag of the matching workload with the workload in the snapshot', async () => {
    kube.workloads.push(nginx('nginx', 'registry.example.com:5000/library/nginx:1.25.3'));
    kube.workloads.push({ ...nginx('other', 'nginx:1.19.0'), labels: { 'app.kubernetes.io/name': 'other' } });
    const result = await readWorkloadVersion({ namespace: 'web', selector: 'app.kubernetes.io/name=nginx' }, { settings });
    expect(result).toMatchObject({ version: '1.25.3', commitSha: null, imageDigest: null });
    expect(result.raw).toBe('Deployment web/nginx container nginx: registry.example.com:5000/library/nginx:1.25.3');
    expect(result.details?.workloads).toEqual([
      { kind: 'Deployment', namespace: 'web', name: 'nginx', container: 'nginx', image: 'registry.example.com:5000/library/nginx:1.25.3', version: '1.25.3', imageDigest: null },
    ]);
    // The selector went to the server, once per kind, with the bearer token of the kubeconfig.
    expect(kube.requests.map((r) => new URL(r.path, kube.url).pathname)).toEqual([
      '/apis/apps/v1/namespaces/web/deployments',
      '/apis/apps/v1/namespaces/web/statefulsets',
      '/apis/apps/v1/namespaces/web/daemonsets',
      '/apis/batch/v1/namespaces/web/cronjobs',
    ]);
    expect(kube.requests.every((r) => r.authorized && new URL(r.path, kube.url).searchParams.get('labelSelector') === 'app.kubernetes.io/name=nginx')).toBe(true);
  });

  it('reports the lowest version where matching workloads disagree, and says which', async () => {
    kube.workloads.push(nginx('nginx-canary', 'nginx:1.27.0'));
    kube.workloads.push(nginx('nginx-edge', 'nginx:1.25.3', 'DaemonSet'));
    kube.workloads.push(nginx('nginx-cache', 'nginx:1.26.1', 'StatefulSet'));
    kube.workloads.push(nginx('nginx-rotate', 'nginx:1.27.0', 'CronJob'));
    const result = await readWorkloadVersion({ namespace: 'web', selector: 'tier=edge', kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'] }, { settings });
    expect(result.version).toBe('1.25.3');
    expect(result.raw).toContain('4 workloads disagree; lowest is DaemonSet web/nginx-edge container nginx: nginx:1.25.3');
    expect(result.raw).toContain('StatefulSet web/nginx-cache container nginx: 1.26.1');
    expect(result.details?.workloads?.map((w) => `${w.kind}/${w.name}`)).toEqual(['DaemonSet/nginx-edge', 'StatefulSet/nginx-cache', 'CronJob/nginx-rotate', 'Deployment/nginx-canary']);
  });

  it('reads only the kinds asked for and pages through long lists', async () => {
    for (let i = 0; i < 230; i++) kube.workloads.push(nginx(`nginx-${String(i).padStart(3, '0')}`, `nginx:1.25.${i % 5}`));
    kube.workloads.push(nginx('old-daemon', 'nginx:1.0.0', 'DaemonSet'));
    const result = await readWorkloadVersion({ namespace: 'web', selector: 'tier=edge', kinds: ['Deployment'] }, { settings });
    expect(result.version).toBe('1.25.0');
    expect(kube.requests.map((r) => new URL(r.path, kube.url).searchParams.get('continue'))).toEqual([null, 'MTAw', 'MjAw']);
    expect(result.details?.workloads).toHaveLength(200);
  });

  it('picks the named container, and asks for one where pods have several', async () => {
    kube.workloads.push(nginx('nginx', 'nginx:1.25.3', 'Deployment', [{ name: 'exporter', image: 'nginx/nginx-prometheus-exporter:1.1.0' }]));
    const exporter = await readWorkloadVersion({ namespace: 'web', selector: 'tier=edge', container: 'exporter' }, { settings });
    expect(exporter.version).toBe('1.1.0');
    const error = await failure(readWorkloadVersion({ namespace: 'web', selector: 'tier=edge' }, { settings }));
    expect(error.message).toBe("the 1 matching workloads have several containers; set the job's container: Deployment nginx (containers: nginx, exporter)");
    expect(error.retryable).toBe(false);
    expect((await failure(readWorkloadVersion({ namespace: 'web', selector: 'tier=edge', container: 'sidecar' }, { settings }))).message).toMatch(/none of the 1 matching workloads has a container named sidecar/);
  });

  it('reports an image pinned by digest only as its digest, for the rules-engine to place', async () => {
    kube.workloads.push(nginx('nginx', `nginx@${digest}`));
    const result = await readWorkloadVersion({ namespace: 'web', selector: 'tier=edge' }, { settings });
    expect(result).toMatchObject({ version: digest, imageDigest: digest });
    kube.workloads.push(nginx('nginx-tagged', `nginx:1.25.3@${digest}`));
    expect(await readWorkloadVersion({ namespace: 'web', selector: 'tier=edge' }, { settings })).toMatchObject({ version: '1.25.3', imageDigest: digest });
  });

  it('says when nothing matches', async () => {
    const error = await failure(readWorkloadVersion({ namespace: 'web', selector: 'app=missing', kinds: ['Deployment'] }, { settings }));
    expect(error.message).toBe('no Deployment in namespace web matches the selector app=missing');
  });

  it('refuses a namespace outside AGENT_KUBE_NAMESPACES without asking the cluster', async () => {
    const error = await failure(readWorkloadVersion({ namespace: 'kube-system', selector: 'a=b' }, { settings }));
    expect(error.message).toBe('namespace kube-system is not one this agent may read (AGENT_KUBE_NAMESPACES: web, cert-manager)');
    expect(error.retryable).toBe(false);
    expect(kube.requests).toHaveLength(0);
  });

  it.each([
    ['401 (a wrong token)', () => ({ ...settings, source: { kind: 'kubeconfig' as const, path: kube.writeKubeconfig('wrong-token-77') } }), [], /refused the agent's credentials \(401 Unauthorized\)/, false],
    ['403 (RBAC)', () => settings, [{ match: '/deployments', status: 403, reason: 'Forbidden', message: 'deployments.apps is forbidden: User "system:serviceaccount:planekeeper:planekeeper-agent" cannot list resource "deployments" in API group "apps" in the namespace "web"' }], /may not read deployments in namespace web \(403 Forbidden: deployments.apps is forbidden: User "system:serviceaccount:planekeeper:planekeeper-agent" cannot list/, false],
    ['404 (no such API)', () => settings, [{ match: '/cronjobs', status: 404, reason: 'NotFound', message: 'the server could not find the requested resource' }], /has no cronjobs in namespace web \(404/, false],
    ['500', () => settings, [{ match: '/deployments', status: 500, reason: 'InternalError', message: 'etcdserver: request timed out' }], /answered 500 reading deployments in namespace web: etcdserver: request timed out/, true],
    ['malformed JSON', () => settings, [{ match: '/deployments', malformed: true }], /deployments in namespace web with something that is not a list object|malformed JSON/, true],
    ['a list dropped mid-way', () => settings, [{ match: '/deployments', drop: true }], /connection broke before its answer was complete/, true],
    ['an expired continue token', () => settings, [{ match: '/deployments', expireContinue: true }], /changed while being read page by page \(410 Gone\)/, true],
  ])('fails clearly on %s', async (_name, settingsOf, faults, message, retryable) => {
    for (let i = 0; i < 150; i++) kube.workloads.push(nginx(`n-${i}`, 'nginx:1.25.3'));
    kube.faults.push(...(faults as typeof kube.faults));
    const error = await failure(readWorkloadVersion({ namespace: 'web', selector: 'tier=edge' }, { settings: settingsOf() }));
    expect(error.message).toMatch(message);
    expect(error.retryable).toBe(retryable);
    expect(error.message).not.toContain(kube.token);
    expect(error.message).not.toContain('wrong-token-77');
  });

  it('stops reading a huge answer at the page limit instead of buffering it', async () => {
    kube.faults.push({ match: '/deployments', hugeBytes: 64 * 1024 * 1024 });
    const before = process.memoryUsage().rss;
    const error = await failure(readWorkloadVersion({ namespace: 'web', selector: 'tier=edge' }, { settings, maxPageBytes: 2 * 1024 * 1024 }));
    expect(error.message).toBe('the Kubernetes API sent an answer larger than 2 MB');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('fails without quoting a kubeconfig that does not load', async () => {
    const secretLine = 'token: sekr1t-kube-token-in-a-broken-file';
    const path = `${settings.source.kind === 'kubeconfig' ? settings.source.path : ''}-broken`;
    writeFileSync(path, `apiVersion: v1\nusers:\n- name: x\n  user:\n    ${secretLine}\n   bad: [indent\n`);
    const error = await failure(readWorkloadVersion({ namespace: 'web', selector: 'a=b' }, { settings: { ...settings, source: { kind: 'kubeconfig', path } } }));
    expect(error.message).toMatch(/^AGENT_KUBECONFIG .*-broken could not be loaded as a kubeconfig/);
    expect(error.message).not.toContain('sekr1t');
  });
});

describe('helm_release scrape', () => {
  const release = (revision: number, status: 'deployed' | 'superseded' | 'failed', chartVersion: string, appVersion: string) =>
    helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision, status, chart: 'cert-manager', chartVersion, appVersion });

  it('reads the chart and app version of the latest deployed revision from its release secret', async () => {
    kube.secrets.push(release(1, 'superseded', 'v1.14.4', 'v1.14.4'), release(2, 'superseded', 'v1.15.1', 'v1.15.1'), release(3, 'deployed', 'v1.15.3', 'v1.15.3'), release(4, 'failed', 'v1.16.0', 'v1.16.0'));
    kube.secrets.push({ namespace: 'cert-manager', name: 'cert-manager-webhook-ca', type: 'Opaque', labels: {}, data: { 'tls.key': Buffer.from('PRIVATE KEY').toString('base64') } });
    const result = await readHelmRelease({ namespace: 'cert-manager', release: 'cert-manager' }, { settings });
    expect(result).toEqual({
      version: 'v1.15.3',
      raw: 'Helm release cert-manager/cert-manager revision 3 (deployed): chart cert-manager v1.15.3, app v1.15.3',
      commitSha: null,
      details: {
        helmRelease: { name: 'cert-manager', namespace: 'cert-manager', revision: 3, status: 'deployed', chart: 'cert-manager', chartVersion: 'v1.15.3', appVersion: 'v1.15.3', deployedAt: '2026-02-03T11:00:00.500Z' },
      },
    });
    // Only Helm's records of that release, deployed, were asked for: the server filters by label.
    expect(new URL(kube.requests[0]!.path, kube.url).searchParams.get('labelSelector')).toBe('owner=helm,name=cert-manager,status=deployed');
  });

  it('says when the release has no deployed revision', async () => {
    kube.secrets.push(release(1, 'failed', '1.0.0', '1.0.0'));
    expect((await failure(readHelmRelease({ namespace: 'cert-manager', release: 'cert-manager' }, { settings }))).message).toBe(
      'Helm release cert-manager has no deployed revision in namespace cert-manager',
    );
  });

  it.each([
    ['not base64 inside', Buffer.from('%%% not base64 %%%'), 'is not base64 as Helm writes it'],
    ['not gzip', Buffer.from(Buffer.from('{"name":"x"}').toString('base64')), 'is not gzip-compressed as Helm 3 writes it'],
    ['cut-off gzip', Buffer.from(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).toString('base64')), /is not valid gzip/],
    ['gzip of something that is not JSON', Buffer.from(gzipSync('name: yaml?').toString('base64')), 'does not hold JSON'],
  ])('fails clearly on a release record that is %s', async (_name, rawRelease, message) => {
    kube.secrets.push(helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision: 7, status: 'deployed', chart: 'c', chartVersion: '1', appVersion: '1', rawRelease }));
    const error = await failure(readHelmRelease({ namespace: 'cert-manager', release: 'cert-manager' }, { settings }));
    expect(error.message).toMatch(typeof message === 'string' ? `the Helm release record sh.helm.release.v1.cert-manager.v7 ${message}` : message);
    expect(error.retryable).toBe(false);
  });

  it('inflates a gzip bomb only up to the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    kube.secrets.push(helmReleaseSecret({ namespace: 'cert-manager', release: 'cert-manager', revision: 9, status: 'deployed', chart: 'c', chartVersion: '1', appVersion: '1', rawRelease: Buffer.from(bomb.toString('base64')) }));
    const before = process.memoryUsage().rss;
    const error = await failure(readHelmRelease({ namespace: 'cert-manager', release: 'cert-manager' }, { settings, maxBytes: 4 * 1024 * 1024 }));
    expect(error.message).toBe('the Helm release record sh.helm.release.v1.cert-manager.v9 decompresses to more than 4 MB');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });
});
