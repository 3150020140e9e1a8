import {
  compareVersions,
  parseVersionTag,
  SNAPSHOT_WORKLOADS_MAX,
  WORKLOAD_KIND_VALUES,
  type ScrapeResult,
  type WorkloadImage,
  type WorkloadKind,
} from '@planekeeper/domain';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { KubeSettings } from '../config.ts';
import { TaskError } from '../task-error.ts';
import { parseImageReference } from './image-ref.ts';
import { allowedNamespace, createKubeApis, listAll, loadKubeConfig, type KubeApis } from './kube-client.ts';

/** What a kubernetes scrape reads (the task spec's `kubernetes`). */
export interface WorkloadTarget {
  namespace: string;
  selector: string;
  container?: string | null;
  kinds?: readonly WorkloadKind[] | null;
}

/** Most workloads one scrape reads before it asks for a narrower selector. */
export const MAX_WORKLOADS = 1000;

interface Workload {
  metadata?: { name?: string; namespace?: string };
  spec?: { template?: { spec?: V1PodSpec }; jobTemplate?: { spec?: { template?: { spec?: V1PodSpec } } } };
}

const listers: Record<WorkloadKind, { what: string; list: (apis: KubeApis, request: { namespace: string; labelSelector: string; limit: number; _continue?: string }) => Promise<{ items: Workload[] }> }> = {
  Deployment: { what: 'deployments', list: (apis, request) => apis.apps.listNamespacedDeployment(request) },
  StatefulSet: { what: 'statefulsets', list: (apis, request) => apis.apps.listNamespacedStatefulSet(request) },
  DaemonSet: { what: 'daemonsets', list: (apis, request) => apis.apps.listNamespacedDaemonSet(request) },
  CronJob: { what: 'cronjobs', list: (apis, request) => apis.batch.listNamespacedCronJob(request) },
};

/**
 * The deployed version of the workloads a selector picks in one namespace: the image tag of the
 * chosen container of each pod template (Deployments, StatefulSets, DaemonSets, CronJobs), with
 * every workload in the snapshot. Workloads that disagree report the lowest version and say
 * which; an image pinned by digest only reports its digest, which the rules-engine places
 * through the gather job's tag digests.
 */
export async function readWorkloadVersion(target: WorkloadTarget, options: { settings: KubeSettings; signal?: AbortSignal; maxPageBytes?: number }): Promise<ScrapeResult> {
  const namespace = allowedNamespace(options.settings, target.namespace);
  const apis = createKubeApis(loadKubeConfig(options.settings), { signal: options.signal, maxPageBytes: options.maxPageBytes });
  const kinds = target.kinds && target.kinds.length > 0 ? target.kinds : WORKLOAD_KIND_VALUES;
  const found: WorkloadImage[] = [];
  const skipped: string[] = [];
  let read = 0;
  for (const kind of kinds) {
    const { what, list } = listers[kind];
    const items = await listAll(`${what} in namespace ${namespace}`, (page) => list(apis, { namespace, labelSelector: target.selector, ...page }), {
      maxItems: MAX_WORKLOADS - read,
      signal: options.signal,
    });
    read += items.length;
    for (const item of items) {
      const name = item.metadata?.name ?? '(unnamed)';
      const pod = kind === 'CronJob' ? item.spec?.jobTemplate?.spec?.template?.spec : item.spec?.template?.spec;
      const containers = (pod?.containers ?? []).filter((c) => typeof c?.name === 'string' && typeof c.image === 'string');
      const container = target.container ? containers.find((c) => c.name === target.container) : containers.length === 1 ? containers[0] : undefined;
      if (container === undefined) {
        skipped.push(`${kind} ${name} (containers: ${containers.map((c) => c.name).join(', ') || 'none'})`);
        continue;
      }
      const image = String(container.image).slice(0, 1000);
      const reference = parseImageReference(image);
      found.push({ kind, namespace, name, container: container.name, image, version: reference.tag, imageDigest: reference.digest });
    }
  }
  if (found.length === 0) {
    const why =
      read === 0
        ? `no ${kinds.join(', ')} in namespace ${namespace} matches the selector ${target.selector}`
        : target.container
          ? `none of the ${read} matching workloads has a container named ${target.container}: ${skipped.slice(0, 5).join('; ')}`
          : `the ${read} matching workloads have several containers; set the job's container: ${skipped.slice(0, 5).join('; ')}`;
    throw new TaskError(why, { retryable: false });
  }
  return describeWorkloads(found);
}

/**
 * The version the workloads report together: the lowest tag that parses as a version (a
 * workload not yet upgraded is what is behind); tags that do not parse only when none does;
 * digest-only images only when no workload has a tag.
 */
export function describeWorkloads(found: readonly WorkloadImage[]): ScrapeResult {
  const label = (w: WorkloadImage) => `${w.kind} ${w.namespace}/${w.name} container ${w.container}`;
  const ranked = [...found].sort((a, b) => {
    const rank = (w: WorkloadImage) => (w.version === null ? 2 : parseVersionTag(w.version) === null ? 1 : 0);
    const byRank = rank(a) - rank(b);
    if (byRank !== 0) return byRank;
    const va = a.version === null ? null : parseVersionTag(a.version);
    const vb = b.version === null ? null : parseVersionTag(b.version);
    const byVersion = va !== null && vb !== null ? compareVersions(va, vb) : 0;
    return byVersion !== 0 ? byVersion : label(a).localeCompare(label(b));
  });
  const chosen = ranked[0] as WorkloadImage;
  const version = chosen.version ?? (chosen.imageDigest as string | null) ?? chosen.image;
  const distinct = new Set(found.map((w) => w.version ?? w.imageDigest ?? w.image));
  const others = ranked.filter((w) => w !== chosen);
  const raw =
    distinct.size <= 1
      ? `${label(chosen)}: ${chosen.image}${others.length > 0 ? ` (and ${others.length} more workload${others.length === 1 ? '' : 's'} alike)` : ''}`
      : `${found.length} workloads disagree; lowest is ${label(chosen)}: ${chosen.image}; others: ${others
          .slice(0, 20)
          .map((w) => `${label(w)}: ${w.version ?? w.imageDigest ?? w.image}`)
          .join('; ')}${others.length > 20 ? `; and ${others.length - 20} more` : ''}`;
  return {
    version: version.slice(0, 200),
    raw: raw.slice(0, 10_000),
    commitSha: null,
    imageDigest: chosen.imageDigest,
    details: { workloads: ranked.slice(0, SNAPSHOT_WORKLOADS_MAX) },
  };
}
