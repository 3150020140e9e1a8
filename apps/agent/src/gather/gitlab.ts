import type { GatherResult } from '@planekeeper/domain';
import { requireDestination } from '../credential-scope.ts';
import type { Credential } from '../credentials.ts';
import { fetchBounded, parseJsonBody, type BoundedResponse } from '../http-body.ts';
import { TaskError } from '../task-error.ts';
import { toIsoOrNull } from './dates.ts';

/** A gitlab_release source: a project id or path on gitlab.com or a self-hosted GitLab. */
export interface GitlabSource {
  project: string;
  baseUrl?: string | null;
}

/** Limits of a GitLab gather; tests lower them. */
export interface GitlabLimits {
  /** Releases asked for per page (GitLab's most is 100). */
  perPage: number;
  /** More pages than this fail the gather (50,000 releases at 100 a page). */
  maxPages: number;
  /** Largest page body. */
  maxPageBytes: number;
}

/** Defaults of {@link GitlabLimits}. */
export const GITLAB_LIMITS: GitlabLimits = { perPage: 100, maxPages: 500, maxPageBytes: 16 * 1024 * 1024 };

interface GitlabRelease {
  tag_name?: unknown;
  released_at?: unknown;
  created_at?: unknown;
  upcoming_release?: unknown;
  _links?: { self?: unknown };
}

/** The API root of a GitLab: `baseUrl` may name the instance or its /api/v4 already. */
export function gitlabApiRoot(baseUrl: string | null | undefined): string {
  const root = (baseUrl ?? 'https://gitlab.com').replace(/\/+$/, '');
  return root.endsWith('/api/v4') ? root : `${root}/api/v4`;
}

/**
 * Every release of a GitLab project through the REST API v4, page by page as its `x-next-page`
 * header says. An `upcoming_release` (released_at in the future) is a prerelease. A private
 * project needs an https_pat credential: a GitLab personal, project or group access token, sent
 * as a bearer token only when the credential's hosts allow the API root (else the task fails
 * before any request, naming the host). Every page is asked of that same API root: `x-next-page`
 * is a page number, and the `Link` header (which names a URL) is not followed; redirects to
 * another origin drop the token.
 */
export async function gatherGitlabReleases(
  source: GitlabSource,
  options: { credential?: Credential | undefined; signal?: AbortSignal; limits?: Partial<GitlabLimits> },
): Promise<GatherResult> {
  const limits = { ...GITLAB_LIMITS, ...options.limits };
  const credential = options.credential;
  if (credential !== undefined && credential.type !== 'https_pat') {
    throw new TaskError(`a GitLab project needs an https_pat credential (an access token), not ${credential.type}`, { retryable: false });
  }
  const api = gitlabApiRoot(source.baseUrl);
  if (credential !== undefined) requireDestination(credential.scope, `${api}/projects/`);
  const headers: Record<string, string> = { accept: 'application/json', ...(credential ? { authorization: `Bearer ${credential.token}` } : {}) };
  const releases: GatherResult['releases'] = [];
  let page: string | undefined = '1';
  for (let count = 0; page !== undefined; count++) {
    if (count >= limits.maxPages) {
      throw new TaskError(`GitLab project ${source.project} has more than ${limits.maxPages} pages of releases; the agent stops there`, { retryable: false });
    }
    const url = `${api}/projects/${encodeURIComponent(source.project)}/releases?per_page=${limits.perPage}&page=${encodeURIComponent(page)}`;
    const response = await fetchBounded(url, { what: 'the GitLab API', maxBytes: limits.maxPageBytes, headers, signal: options.signal });
    failOnStatus(response, source, credential !== undefined);
    const list = parseJsonBody<unknown>(response, 'the GitLab API');
    if (!Array.isArray(list)) throw new TaskError(`the GitLab API answered something that is not a list of releases for ${source.project}`, { retryable: true });
    for (const entry of list as GitlabRelease[]) {
      if (typeof entry?.tag_name !== 'string' || entry.tag_name === '' || entry.tag_name.length > 256) continue;
      const link = entry._links?.self;
      releases.push({
        tag: entry.tag_name,
        publishedAt: toIsoOrNull(entry.released_at) ?? toIsoOrNull(entry.created_at),
        prerelease: entry.upcoming_release === true,
        url: typeof link === 'string' && link.length <= 2048 ? link : null,
      });
    }
    const next = response.headers['x-next-page'];
    page = typeof next === 'string' && /^[1-9][0-9]{0,6}$/.test(next.trim()) ? next.trim() : undefined;
  }
  return { releases };
}

function failOnStatus(response: BoundedResponse, source: GitlabSource, withToken: boolean): void {
  const { status, headers } = response;
  if (status === 200) return;
  const name = `GitLab project ${source.project}`;
  const remaining = headers['ratelimit-remaining'];
  if (status === 429 || (status === 403 && remaining === '0')) {
    const reset = Number(headers['ratelimit-reset']);
    const retryAfter = headers['retry-after'];
    const when = Number.isFinite(reset) && reset > 0 ? `resets at ${new Date(reset * 1000).toISOString()}` : retryAfter ? `retry after ${retryAfter} s` : 'resets later';
    throw new TaskError(`GitLab rate limit exceeded; ${when}`, { retryable: true });
  }
  if (status === 401) {
    throw new TaskError(
      withToken ? 'GitLab refused the job\'s access token (401 Unauthorized)' : `${name} needs an access token (401 Unauthorized): set an https_pat credential on the job`,
      { retryable: false },
    );
  }
  if (status === 403) throw new TaskError(`GitLab refused access to the releases of ${name} (403 Forbidden); the token needs the read_api scope`, { retryable: false });
  if (status === 404) throw new TaskError(`${name} not found (or not visible ${withToken ? 'to this token' : 'without a token'}) (HTTP 404)`, { retryable: false });
  throw new TaskError(`the GitLab API answered HTTP ${status} for ${name}`, { retryable: status >= 500 || status === 408 });
}
