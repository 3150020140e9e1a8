import { gunzipSync } from 'node:zlib';
import type { HelmReleaseRead, ScrapeResult } from '@planekeeper/domain';
import type { KubeSettings } from '../config.ts';
import { TaskError } from '../task-error.ts';
import { toIsoOrNull } from '../gather/dates.ts';
import { allowedNamespace, createKubeApis, listAll, loadKubeConfig } from './kube-client.ts';

/** Which release a helm_release scrape reads (the task spec's `helmRelease`). */
export interface HelmReleaseTarget {
  namespace: string;
  release: string;
}

/** Largest release record once decompressed: charts with their templates and manifest are a few MB. */
export const HELM_RELEASE_MAX_BYTES = 16 * 1024 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface SecretItem {
  type?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

interface ReleaseRecord {
  name?: unknown;
  namespace?: unknown;
  version?: unknown;
  info?: { status?: unknown; last_deployed?: unknown };
  chart?: { metadata?: { name?: unknown; version?: unknown; appVersion?: unknown } };
}

/**
 * The chart version of the latest deployed revision of a Helm release, read from Helm's own
 * records: Secrets of type helm.sh/release.v1 named sh.helm.release.v1.NAME.vN, found by their
 * labels (owner=helm, name, status=deployed: the API server answers with those alone) and decoded
 * as Helm writes them: base64 of gzip of JSON, inside the Secret's own base64. Only the `release`
 * key of those Secrets is read, within a size limit, and none of it is logged or reported but
 * the release's name, revision, status and chart.
 */
export async function readHelmRelease(target: HelmReleaseTarget, options: { settings: KubeSettings; signal?: AbortSignal; maxBytes?: number }): Promise<ScrapeResult> {
  const namespace = allowedNamespace(options.settings, target.namespace);
  const apis = createKubeApis(loadKubeConfig(options.settings), { signal: options.signal });
  const what = `Helm release records of ${target.release} in namespace ${namespace}`;
  const secrets = await listAll<SecretItem>(
    what,
    (page) => apis.core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${target.release},status=deployed`, ...page }),
    { maxItems: 100, signal: options.signal },
  );
  const prefix = `sh.helm.release.v1.${target.release}.v`;
  const records = secrets
    .filter((secret) => secret.type === 'helm.sh/release.v1' && secret.metadata?.name?.startsWith(prefix) === true)
    .map((secret) => ({ secret, revision: Number(secret.metadata?.labels?.version ?? (secret.metadata?.name ?? '').slice(prefix.length)) }))
    .filter((record) => Number.isInteger(record.revision) && record.revision > 0)
    .sort((a, b) => b.revision - a.revision);
  const latest = records[0];
  if (latest === undefined) throw new TaskError(`Helm release ${target.release} has no deployed revision in namespace ${namespace}`, { retryable: false });
  const record = decodeReleaseRecord(latest.secret.data?.release, `${latest.secret.metadata?.name}`, options.maxBytes ?? HELM_RELEASE_MAX_BYTES);
  const chart = record.chart?.metadata;
  if (typeof chart?.version !== 'string' || chart.version === '') {
    throw new TaskError(`the Helm release record ${latest.secret.metadata?.name} names no chart version`, { retryable: false });
  }
  const read: HelmReleaseRead = {
    name: target.release,
    namespace,
    revision: typeof record.version === 'number' && Number.isInteger(record.version) && record.version > 0 ? record.version : latest.revision,
    status: typeof record.info?.status === 'string' ? record.info.status.slice(0, 50) : 'deployed',
    chart: typeof chart.name === 'string' ? chart.name.slice(0, 250) : '',
    chartVersion: chart.version.slice(0, 200),
    appVersion: typeof chart.appVersion === 'string' && chart.appVersion !== '' ? chart.appVersion.slice(0, 200) : null,
    deployedAt: toIsoOrNull(record.info?.last_deployed),
  };
  return {
    version: read.chartVersion,
    raw: `Helm release ${namespace}/${read.name} revision ${read.revision} (${read.status}): chart ${read.chart} ${read.chartVersion}${read.appVersion ? `, app ${read.appVersion}` : ''}`,
    commitSha: null,
    details: { helmRelease: read },
  };
}

/**
 * Decodes a release record as Helm 3 writes it: the Secret's `release` value (the client has
 * undone the Secret's own base64) is base64 of gzip of JSON. Each step is checked, and the
 * gzip is inflated within `maxBytes`, so a huge, cut-off or foreign record fails the task
 * with what was wrong, and never quotes the record.
 */
export function decodeReleaseRecord(value: string | undefined, secretName: string, maxBytes: number): ReleaseRecord {
  const fail = (problem: string) => new TaskError(`the Helm release record ${secretName} ${problem}`, { retryable: false });
  if (typeof value !== 'string' || value === '') throw fail('has no release data');
  // The Secret's own base64, undone: Kubernetes returns data values base64-encoded.
  const outer = Buffer.from(value, 'base64').toString('latin1').trim();
  if (outer.length > maxBytes) throw fail(`is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  if (!BASE64.test(outer) || outer.length % 4 !== 0) throw fail('is not base64 as Helm writes it');
  const compressed = Buffer.from(outer, 'base64');
  if (compressed.length < 3 || !compressed.subarray(0, 3).equals(GZIP_MAGIC)) throw fail('is not gzip-compressed as Helm 3 writes it');
  let json: Buffer;
  try {
    json = gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw fail(`decompresses to more than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    throw fail(`is not valid gzip (${code ?? 'corrupt data'})`);
  }
  let record: unknown;
  try {
    record = JSON.parse(json.toString('utf8'));
  } catch {
    throw fail('does not hold JSON');
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw fail('does not hold a release object');
  return record as ReleaseRecord;
}
