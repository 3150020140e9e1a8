import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from './http-server.ts';

// A stand-in for the Kubernetes API server: the list endpoints of the workload kinds and of
// Secrets, as the real server answers them (list objects with metadata.continue paging, Status
// objects for errors, label selectors applied by the server), with faults to inject.

/** A workload as stored: kind, name, labels and the containers of its pod template. */
export interface StandInWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: { name: string; image: string }[];
}

/** A Secret as stored (data values already base64, as the API returns them). */
export interface StandInSecret {
  namespace: string;
  name: string;
  type: string;
  labels: Record<string, string>;
  data: Record<string, string>;
}

/** A fault answered instead of a list, for paths that contain `match`. */
export type KubeFault =
  | { match: string; status: number; reason: string; message: string }
  /** Sends the first half of the real answer, then drops the connection. */
  | { match: string; drop: true }
  | { match: string; malformed: true }
  /** An answer of `bytes` bytes (a list that never ends). */
  | { match: string; hugeBytes: number }
  /** The continue token has expired (410 Gone) on any page after the first. */
  | { match: string; expireContinue: true };

export interface KubeApiStandIn extends LocalServer {
  workloads: StandInWorkload[];
  secrets: StandInSecret[];
  faults: KubeFault[];
  token: string;
  /** Requests seen: method, path with query, and whether the bearer token was right. */
  requests: { path: string; authorized: boolean }[];
  /** Writes a kubeconfig for this server with its token; returns its path. */
  writeKubeconfig(token?: string): string;
}

const RESOURCES: Record<string, { kind: StandInWorkload['kind']; group: string }> = {
  deployments: { kind: 'Deployment', group: 'apps/v1' },
  statefulsets: { kind: 'StatefulSet', group: 'apps/v1' },
  daemonsets: { kind: 'DaemonSet', group: 'apps/v1' },
  cronjobs: { kind: 'CronJob', group: 'batch/v1' },
};

/** Whether `labels` satisfy a label selector (equality, inequality, existence and set requirements). */
export function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const requirement = raw.trim();
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(requirement);
    if (set) {
      const values = (set[3] ?? '').split(',').map((v) => v.trim());
      const value = labels[set[1] as string];
      return set[2] === 'in' ? value !== undefined && values.includes(value) : value === undefined || !values.includes(value);
    }
    const equality = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(requirement);
    if (equality) {
      const value = labels[(equality[1] as string).trim()];
      return equality[2] === '!=' ? value !== equality[3] : value === equality[3];
    }
    if (requirement.startsWith('!')) return labels[requirement.slice(1).trim()] === undefined;
    return labels[requirement] !== undefined;
  });
}

function workloadObject(w: StandInWorkload, index: number) {
  const podSpec = { containers: w.containers.map((c) => ({ name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent', resources: {} })), restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' };
  const template = { metadata: { labels: w.labels }, spec: podSpec };
  const metadata = {
    name: w.name,
    namespace: w.namespace,
    uid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    resourceVersion: String(1000 + index),
    generation: 1,
    creationTimestamp: '2026-01-05T10:00:00Z',
    labels: w.labels,
    annotations: { 'deployment.kubernetes.io/revision': '3' },
  };
  if (w.kind === 'CronJob') {
    return { metadata, spec: { schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } }, status: {} };
  }
  return { metadata, spec: { replicas: 2, selector: { matchLabels: w.labels }, template }, status: { replicas: 2, readyReplicas: 2 } };
}

function status(res: ServerResponse, code: number, reason: string, message: string) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** Starts the stand-in; `token` is the bearer token it accepts. */
export async function startKubeApi(token = 'kube-standin-token-4f0c9a'): Promise<KubeApiStandIn> {
  const state = { workloads: [] as StandInWorkload[], secrets: [] as StandInSecret[], faults: [] as KubeFault[], requests: [] as KubeApiStandIn['requests'] };
  const local = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = req.headers.authorization === `Bearer ${token}`;
    state.requests.push({ path: url.pathname + url.search, authorized });
    if (!authorized) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const fault = state.faults.find((f) => url.pathname.includes(f.match));
    if (fault && 'status' in fault) return status(res, fault.status, fault.reason, fault.message);
    if (fault && 'hugeBytes' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      res.write('{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{},"items":[');
      let sent = 0;
      const pump = () => {
        while (sent < fault.hugeBytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(']}');
      };
      res.on('error', () => {});
      return pump();
    }
    const workload = /^\/apis\/(apps\/v1|batch\/v1)\/namespaces\/([^/]+)\/(deployments|statefulsets|daemonsets|cronjobs)$/.exec(url.pathname);
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(url.pathname);
    if (!workload && !secret) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const selector = url.searchParams.get('labelSelector') ?? '';
    const limit = Number(url.searchParams.get('limit') ?? 500);
    const start = Number(Buffer.from(url.searchParams.get('continue') ?? '', 'base64').toString() || 0);
    if (fault && 'expireContinue' in fault && start > 0) {
      return status(res, 410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    let listKind: string;
    let apiVersion: string;
    let items: unknown[];
    if (workload) {
      const resource = RESOURCES[workload[3] as string]!;
      listKind = `${resource.kind}List`;
      apiVersion = resource.group;
      items = state.workloads
        .map((w, i) => ({ w, i }))
        .filter(({ w }) => w.kind === resource.kind && w.namespace === workload[2] && matchesSelector(w.labels, selector))
        .map(({ w, i }) => workloadObject(w, i));
    } else {
      listKind = 'SecretList';
      apiVersion = 'v1';
      items = state.secrets
        .filter((s) => s.namespace === secret![1] && matchesSelector(s.labels, selector))
        .map((s, i) => ({ metadata: { name: s.name, namespace: s.namespace, uid: `secret-${i}`, resourceVersion: String(2000 + i), labels: s.labels }, data: s.data, type: s.type }));
    }
    const page = items.slice(start, start + limit);
    const more = start + limit < items.length;
    const body = JSON.stringify({
      kind: listKind,
      apiVersion,
      metadata: { resourceVersion: '98765', ...(more ? { continue: Buffer.from(String(start + limit)).toString('base64'), remainingItemCount: items.length - start - limit } : {}) },
      items: page,
    });
    if (fault && 'malformed' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body.slice(0, Math.floor(body.length / 2)));
      return;
    }
    if (fault && 'drop' in fault) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      return void setImmediate(() => res.socket?.destroy());
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'pk-kube-'));
  return Object.assign(local, state, {
    token,
    writeKubeconfig(withToken = token) {
      const file = path.join(dir, `kubeconfig-${withToken.length}-${Date.now()}`);
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          `- name: standin`,
          `  cluster:`,
          `    server: ${local.url}`,
          // client-node refuses plain http unless told; the stand-in has no certificate.
          '    insecure-skip-tls-verify: true',
          'users:',
          '- name: planekeeper-agent',
          '  user:',
          `    token: ${withToken}`,
          'contexts:',
          '- name: standin',
          '  context:',
          '    cluster: standin',
          '    user: planekeeper-agent',
          'current-context: standin',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      return file;
    },
  });
}

/**
 * A Helm 3 release record Secret, encoded as Helm writes it: the release JSON gzipped and
 * base64-encoded into the `release` key, which the API returns base64-encoded once more.
 */
export function helmReleaseSecret(input: {
  namespace: string;
  release: string;
  revision: number;
  status: 'deployed' | 'superseded' | 'failed' | 'pending-upgrade';
  chart: string;
  chartVersion: string;
  appVersion: string;
  /** Replaces the encoded record (for broken records). */
  rawRelease?: Buffer;
}): StandInSecret {
  const record = {
    name: input.release,
    namespace: input.namespace,
    version: input.revision,
    info: { first_deployed: '2026-01-02T10:00:00.123456789Z', last_deployed: '2026-02-03T11:00:00.5Z', deleted: '', description: 'Upgrade complete', status: input.status },
    chart: {
      metadata: { name: input.chart, version: input.chartVersion, appVersion: input.appVersion, apiVersion: 'v2', description: 'A chart', type: 'application' },
      lock: null,
      templates: [{ name: 'templates/deployment.yaml', data: Buffer.from('kind: Deployment').toString('base64') }],
      values: { replicaCount: 1 },
      schema: null,
      files: [],
    },
    config: { image: { tag: input.appVersion } },
    manifest: '---\n# Source: chart/templates/deployment.yaml\nkind: Deployment\n',
    hooks: [],
  };
  const helmEncoded = input.rawRelease ?? Buffer.from(gzipSync(Buffer.from(JSON.stringify(record)), { level: 9 }).toString('base64'));
  return {
    namespace: input.namespace,
    name: `sh.helm.release.v1.${input.release}.v${input.revision}`,
    type: 'helm.sh/release.v1',
    labels: { name: input.release, owner: 'helm', status: input.status, version: String(input.revision), modifiedAt: '1767225600' },
    data: { release: helmEncoded.toString('base64') },
  };
}
