import type { GatherResult, ReleaseCycle } from '@planekeeper/domain';
import { hostOf, requireDestination } from '../credential-scope.ts';
import { basicAuthOf, type Credential } from '../credentials.ts';
import { displayUrl } from '../display-url.ts';
import { basicAuthorization, fetchBounded, parseJsonBody } from '../http-body.ts';
import { TaskError } from '../task-error.ts';

/** An endoflife source: a product of endoflife.date, or of a mirror at baseUrl. */
export interface EndoflifeSource {
  product: string;
  baseUrl?: string | null;
}

/** Largest product document read (the biggest products are well under 1 MB). */
export const ENDOFLIFE_MAX_BYTES = 8 * 1024 * 1024;

interface ProductRelease {
  name?: unknown;
  label?: unknown;
  releaseDate?: unknown;
  isLts?: unknown;
  isEoas?: unknown;
  eoasFrom?: unknown;
  isEol?: unknown;
  eolFrom?: unknown;
  eoesFrom?: unknown;
  isMaintained?: unknown;
  latest?: { name?: unknown; date?: unknown; link?: unknown } | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = (value: unknown) => (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) ? value : null);
const text = (value: unknown, max: number) => (typeof value === 'string' && value.trim() !== '' && value.length <= max ? value.trim() : null);

/**
 * The release cycles of an endoflife.date product (API v1, `/api/v1/products/<product>`), one
 * release per cycle: its latest version as the tag, dated by that version's release, with the
 * cycle's release, support and end-of-life dates beside it. A cycle without a latest version
 * (some products publish none) is the cycle's name, dated by the cycle. The request is
 * conditional on the last ETag: an unchanged document answers 304 and changes nothing.
 *
 * endoflife.date itself needs no credential; a mirror behind basic auth takes a registry_basic or
 * https_pat credential, sent only when the credential's hosts allow the product's URL (else the
 * task fails before any request, naming the host; a redirect to another origin drops it).
 */
export async function gatherEndoflifeCycles(
  source: EndoflifeSource,
  options: { etag: string | null | undefined; userAgent: string; credential?: Credential | undefined; signal?: AbortSignal; maxBytes?: number },
): Promise<GatherResult> {
  const root = (source.baseUrl ?? 'https://endoflife.date').replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  const url = `${root}/api/v1/products/${encodeURIComponent(source.product)}`;
  const { credential } = options;
  const auth = basicAuthOf(credential);
  if (credential !== undefined && auth === undefined) {
    throw new TaskError(`an endoflife.date mirror needs a registry_basic or https_pat credential, not ${credential.type}`, { retryable: false });
  }
  if (credential !== undefined) requireDestination(credential.scope, url);
  const response = await fetchBounded(url, {
    what: 'the endoflife.date API',
    maxBytes: options.maxBytes ?? ENDOFLIFE_MAX_BYTES,
    headers: {
      accept: 'application/json',
      'user-agent': options.userAgent,
      ...(options.etag ? { 'if-none-match': options.etag } : {}),
      ...(auth === undefined ? {} : { authorization: basicAuthorization(auth) }),
    },
    signal: options.signal,
  });
  if (response.status === 304 && options.etag) return { releases: [], notModified: true, etag: options.etag };
  if (response.status === 401 || response.status === 403) {
    throw new TaskError(`the endoflife.date API at ${hostOf(url)} refused ${credential === undefined ? 'a request without a credential' : "the job's credential"} (HTTP ${response.status})`, { retryable: false });
  }
  if (response.status === 404) throw new TaskError(`endoflife.date has no product "${source.product}" (HTTP 404); see ${displayUrl(`${root}/api/v1/products`)} for the list`, { retryable: false });
  if (response.status === 429) {
    throw new TaskError(`endoflife.date rate limit hit (HTTP 429)${response.headers['retry-after'] ? `; retry after ${response.headers['retry-after']} s` : ''}`, { retryable: true });
  }
  if (response.status !== 200) throw new TaskError(`the endoflife.date API answered HTTP ${response.status} for ${source.product}`, { retryable: response.status >= 500 });
  const document = parseJsonBody<{ result?: { releases?: unknown } }>(response, 'the endoflife.date API');
  const cycles = document?.result?.releases;
  if (!Array.isArray(cycles)) {
    throw new TaskError(`the endoflife.date API answered without result.releases for ${source.product} (is baseUrl an endoflife.date API v1?)`, { retryable: false });
  }
  const releases: GatherResult['releases'] = [];
  for (const entry of cycles as ProductRelease[]) {
    const name = text(entry?.name, 100);
    if (name === null) continue;
    const latestVersion = text(entry.latest?.name, 256);
    const cycle: ReleaseCycle = {
      name,
      label: text(entry.label, 200),
      releaseDate: date(entry.releaseDate),
      latestVersion,
      latestDate: date(entry.latest?.date),
      lts: entry.isLts === true,
      supportEnds: date(entry.eoasFrom),
      supportEnded: entry.isEoas === true,
      eolDate: date(entry.eolFrom),
      eol: entry.isEol === true,
      extendedSupportEnds: date(entry.eoesFrom),
      maintained: entry.isMaintained === true,
    };
    const published = cycle.latestVersion !== null ? cycle.latestDate : cycle.releaseDate;
    const link = text(entry.latest?.link, 2048);
    releases.push({
      tag: latestVersion ?? name,
      publishedAt: published === null ? null : new Date(`${published}T00:00:00Z`).toISOString(),
      prerelease: false,
      url: link,
      cycle,
    });
  }
  const etag = response.headers.etag;
  return typeof etag === 'string' && etag.length <= 1000 ? { releases, etag } : { releases };
}
