import { createHash } from 'node:crypto';
import { parseLinkHeader } from 'got';
import type { GatherResult } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import type { Credential } from '../credentials.ts';
import { parseJsonBody, type BoundedResponse } from '../http-body.ts';
import { filterTags } from '../scrape/parsers/regex.ts';
import { TaskError } from '../task-error.ts';
import { toIsoOrNull } from './dates.ts';
import { openRegistrySession, type RegistrySession } from './oci-registry.ts';
import { newestLookingTags } from './newest-tags.ts';

export { newestLookingTags } from './newest-tags.ts';

/** An oci_registry source. */
export interface OciSource {
  registryUrl: string;
  repository: string;
}

/** Limits of an OCI gather; tests lower them. */
export interface OciLimits {
  /** Tags asked for per tags/list page. */
  pageSize: number;
  /** More tags than this fail the gather (a runaway listing). */
  maxTags: number;
  /** Most releases one result may carry (the server's limit). */
  maxReleases: number;
  /**
   * Tags whose image config is read for a `created` date, newest-looking first. Each costs two or
   * three requests (manifest, maybe a platform manifest, config blob), so only the few tags that
   * can be the latest get dates; the rest keep publishedAt null and the server dates them by
   * when it first saw them.
   */
  datedTags: number;
}

/** Defaults of {@link OciLimits}. */
export const OCI_LIMITS: OciLimits = { pageSize: 1000, maxTags: 100_000, maxReleases: 50_000, datedTags: 10 };

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function failOnStatus(response: BoundedResponse, session: RegistrySession, what: string): void {
  if (response.status === 200) return;
  if (response.status === 404) throw new TaskError(`repository ${session.repository} not found on ${session.base} (HTTP 404)`, { retryable: false });
  const retryable = response.status === 429 || response.status >= 500;
  throw new TaskError(`the registry answered HTTP ${response.status} for ${what}`, { retryable });
}

/** Every tag of a repository, following `Link: <...>; rel="next"` pages. */
export async function listTags(session: RegistrySession, limits: Pick<OciLimits, 'pageSize' | 'maxTags'>): Promise<string[]> {
  const tags: string[] = [];
  const seen = new Set<string>();
  let url: string | undefined = `/v2/${session.repository}/tags/list?n=${limits.pageSize}`;
  while (url !== undefined) {
    if (seen.has(url)) throw new TaskError('the registry sent a tag list page that links to itself', { retryable: false });
    seen.add(url);
    const response = await session.get(url, { accept: 'application/json', maxBytes: 32 * 1024 * 1024, what: 'the tag list' });
    failOnStatus(response, session, 'the tag list');
    const page = parseJsonBody<{ tags?: unknown }>(response, 'the tag list');
    for (const tag of Array.isArray(page.tags) ? page.tags : []) if (typeof tag === 'string') tags.push(tag);
    if (tags.length > limits.maxTags) {
      throw new TaskError(`${session.repository} has more than ${limits.maxTags} tags; the agent stops listing there`, { retryable: false });
    }
    const link = response.headers.link;
    const next = nextPage(Array.isArray(link) ? link.join(', ') : link);
    url = next === undefined ? undefined : new URL(next, new URL(url, session.base)).toString();
  }
  return tags;
}

function nextPage(link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  try {
    return parseLinkHeader(link).find((entry) => entry.parameters.rel?.replace(/"/g, '').split(/\s+/).includes('next'))?.reference;
  } catch {
    throw new TaskError('the registry sent a malformed Link header', { retryable: false });
  }
}

interface Manifest {
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string }; annotations?: Record<string, string> }[];
  config?: { digest?: string };
}

/**
 * What a tag's manifest tells: the image config's `created` time (linux/amd64 of a multi-platform
 * index), or null; and the digest of the tag's own manifest (an index for a multi-platform
 * image), which is what a pod spec pins with `image@sha256:...`.
 */
export async function readImageCreated(session: RegistrySession, tag: string): Promise<{ created: string | null; digest: string | null }> {
  const getJson = async <T>(path: string, what: string): Promise<{ json: T; response: BoundedResponse }> => {
    const response = await session.get(path, { accept: MANIFEST_TYPES, maxBytes: 4 * 1024 * 1024, what });
    failOnStatus(response, session, what);
    return { json: parseJsonBody<T>(response, what), response };
  };
  const first = await getJson<Manifest>(`/v2/${session.repository}/manifests/${encodeURIComponent(tag)}`, `the manifest of ${tag}`);
  // The registry names the digest; a manifest's digest is the sha256 of its bytes where it does not.
  const header = first.response.headers['docker-content-digest'];
  const digest = typeof header === 'string' && /^sha256:[a-f0-9]{64}$/.test(header) ? header : `sha256:${createHash('sha256').update(first.response.body).digest('hex')}`;
  let manifest = first.json;
  if (Array.isArray(manifest.manifests)) {
    const images = manifest.manifests.filter((entry) => entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
    const chosen = images.find((entry) => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64') ?? images[0];
    if (chosen?.digest === undefined) return { created: null, digest };
    manifest = (await getJson<Manifest>(`/v2/${session.repository}/manifests/${chosen.digest}`, `the platform manifest of ${tag}`)).json;
  }
  if (manifest.config?.digest === undefined) return { created: null, digest };
  const config = await getJson<{ created?: unknown }>(`/v2/${session.repository}/blobs/${manifest.config.digest}`, `the image config of ${tag}`);
  return { created: toIsoOrNull(config.json.created), digest };
}

/**
 * The tags of an OCI repository through the distribution API, narrowed by the job's tag filter
 * (a registry may list 100,000 tags, more than a result carries). Dates come from the image
 * configs of the newest-looking tags only; see {@link OciLimits.datedTags}.
 */
export async function gatherOciTags(
  source: OciSource,
  options: { tagFilter?: string | null; credential?: Credential | undefined; logger: Logger; signal?: AbortSignal; limits?: Partial<OciLimits> },
): Promise<GatherResult> {
  const limits = { ...OCI_LIMITS, ...options.limits };
  const session = openRegistrySession({ ...source, credential: options.credential, signal: options.signal });
  let tags = await listTags(session, limits);
  if (options.tagFilter !== null && options.tagFilter !== undefined && options.tagFilter !== '') {
    tags = filterTags(options.tagFilter, tags);
  }
  if (tags.length > limits.maxReleases) {
    throw new TaskError(`${session.repository} has ${tags.length} tags, more than the ${limits.maxReleases} one result may carry; narrow the job's tag filter`, {
      retryable: false,
    });
  }
  const dates = new Map<string, { created: string | null; digest: string | null }>();
  const toDate = newestLookingTags(tags, limits.datedTags);
  // A few at a time: registries rate-limit manifest reads (Docker Hub: 100 per 6 hours anonymously).
  for (let i = 0; i < toDate.length; i += 4) {
    await Promise.all(
      toDate.slice(i, i + 4).map(async (tag) => {
        try {
          dates.set(tag, await readImageCreated(session, tag));
        } catch (error) {
          if (options.signal?.aborted) throw error;
          options.logger.debug({ tag, err: error }, 'could not read the image date of a tag');
        }
      }),
    );
  }
  const dated = [...dates.values()].filter((read) => read.created !== null).length;
  options.logger.info(
    { repository: session.repository, tags: tags.length, dated },
    `publishedAt read from image configs for ${dated} of the ${limits.datedTags} newest-looking tags; left empty for the rest`,
  );
  return {
    releases: tags.map((tag) => {
      const read = dates.get(tag);
      return { tag, publishedAt: read?.created ?? null, prerelease: false, ...(read?.digest ? { digest: read.digest } : {}) };
    }),
  };
}
