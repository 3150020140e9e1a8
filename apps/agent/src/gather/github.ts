import { Octokit, RequestError } from 'octokit';
import type { GatherResult } from '@planekeeper/domain';
import type { Logger } from '@planekeeper/runtime';
import { requireDestination, type ScopedToken } from '../credential-scope.ts';
import { errorCode, TaskError } from '../task-error.ts';
import { toIsoOrNull } from './dates.ts';

/** A github_release source: `baseUrl` is a GitHub Enterprise API root such as https://ghe.example.com/api/v3. */
export interface GithubSource {
  owner: string;
  repo: string;
  baseUrl?: string | null;
}

/**
 * ETags of the last answer per gather job, kept for the life of the process, so a job whose
 * task spec carries no etag still gets a conditional request.
 */
export type EtagMemory = Map<string, string>;

/** What {@link gatherGithubReleases} needs beside the source. */
export interface GithubGatherOptions {
  jobId: string;
  /** The ETag the server stored from the last result; preferred over the remembered one. */
  etag: string | null | undefined;
  etags: EtagMemory;
  /** GITHUB_TOKEN and the hosts it may be sent to (GITHUB_TOKEN_HOSTS). */
  githubToken: ScopedToken | undefined;
  userAgent: string;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * Every published release of a GitHub repository (drafts skipped), all pages. The request is
 * conditional on the last ETag; GitHub answers 304 for an unchanged repository without counting
 * it against the rate limit, and the result then says `notModified`. GITHUB_TOKEN goes only to
 * the job's API root, and only when GITHUB_TOKEN_HOSTS allows that host: a job naming another
 * host fails before any request, and a page link to another origin is followed without it.
 */
export async function gatherGithubReleases(source: GithubSource, options: GithubGatherOptions): Promise<GatherResult> {
  const { logger } = options;
  const octokit = createGithubClient(source, options);
  const etag = options.etag ?? options.etags.get(options.jobId);
  const releases: GatherResult['releases'] = [];
  let firstPageEtag: string | undefined;
  try {
    const pages = octokit.paginate.iterator(octokit.rest.repos.listReleases, {
      owner: source.owner,
      repo: source.repo,
      per_page: 100,
      headers: etag === undefined ? {} : { 'if-none-match': etag },
    });
    for await (const page of pages) {
      firstPageEtag ??= page.headers.etag;
      for (const release of page.data) {
        if (release.draft) continue;
        releases.push({ tag: release.tag_name, publishedAt: toIsoOrNull(release.published_at), prerelease: release.prerelease, url: release.html_url });
      }
    }
  } catch (error) {
    if (error instanceof RequestError && error.status === 304 && etag !== undefined) {
      logger.debug({ jobId: options.jobId }, 'GitHub releases not modified');
      return { releases: [], notModified: true, etag };
    }
    throw githubFailure(error, source, options.signal);
  }
  if (firstPageEtag !== undefined) options.etags.set(options.jobId, firstPageEtag);
  return firstPageEtag === undefined ? { releases } : { releases, etag: firstPageEtag };
}

/**
 * An octokit for `source` (GitHub, or GHE at its baseUrl) with no retries or throttling, carrying
 * GITHUB_TOKEN only to the job's API root and only when GITHUB_TOKEN_HOSTS allows that host: a
 * source naming another host fails before any request, and a page link to another origin is
 * followed without the token. github_release and github_tag gathers both read through it.
 */
export function createGithubClient(source: GithubSource, options: Pick<GithubGatherOptions, 'githubToken' | 'userAgent' | 'logger' | 'signal'>): Octokit {
  const { logger } = options;
  const baseUrl = (source.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  if (options.githubToken !== undefined) requireDestination(options.githubToken.scope, baseUrl);
  const octokit = new Octokit({
    baseUrl,
    userAgent: options.userAgent,
    // A rate-limited task fails at once with the reset time; waiting up to an hour would hold
    // the task's lease and a slot. The server schedules the next run.
    throttle: { enabled: false },
    retry: { enabled: false },
    request: { signal: options.signal },
    log: { debug: () => {}, info: () => {}, warn: (message: string) => logger.debug({ octokit: message }, 'octokit warning'), error: () => {} },
  });
  const token = options.githubToken?.token;
  if (token !== undefined) {
    // Instead of octokit's `auth`, which adds the token to every request, pagination links to
    // any host included. (Redirects to another origin lose it in fetch itself.)
    const origin = new URL(baseUrl).origin;
    octokit.hook.wrap('request', async (request, requestOptions) => {
      if (new URL(octokit.request.endpoint.parse(requestOptions).url).origin !== origin) return request(requestOptions);
      return request({ ...requestOptions, headers: { ...requestOptions.headers, authorization: `token ${token}` } });
    });
  }
  return octokit;
}

/** A failed GitHub call as a TaskError: rate limits retryable with their reset, 401/404 not. */
export function githubFailure(error: unknown, source: GithubSource, signal: AbortSignal | undefined, what: 'releases' | 'tags' = 'releases'): TaskError {
  const name = `${source.owner}/${source.repo}`;
  if (signal?.aborted) return new TaskError('the task was stopped', { retryable: true, cause: error });
  if (!(error instanceof RequestError) || error.response === undefined) {
    const code = errorCode(error);
    // octokit passes a body that is not JSON on as text, and its paginator then trips over it
    // with a TypeError; the body (a proxy's HTML page, say) stays out of the message.
    if (code === undefined && (error as Error | null)?.name === 'TypeError') {
      return new TaskError(`the GitHub API for ${name} answered with something that is not a JSON list of ${what} (cut off, or an HTML page)`, { retryable: true, cause: error });
    }
    return new TaskError(`could not reach the GitHub API for ${name}: ${code ?? (error instanceof Error ? error.message : String(error))}`, {
      retryable: true,
      cause: error,
    });
  }
  const headers = error.response.headers;
  if ((error.status === 403 || error.status === 429) && headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : 'an unknown time';
    return new TaskError(`GitHub rate limit exceeded; resets at ${when}`, { retryable: true });
  }
  if ((error.status === 403 || error.status === 429) && headers['retry-after'] !== undefined) {
    return new TaskError(`GitHub secondary rate limit hit; retry after ${headers['retry-after']} s`, { retryable: true });
  }
  if (error.status === 401) return new TaskError('GitHub refused GITHUB_TOKEN (401 Bad credentials)', { retryable: false });
  if (error.status === 404) return new TaskError(`GitHub repository ${name} not found (or not visible to this token)`, { retryable: false });
  if (error.status >= 500) return new TaskError(`GitHub answered ${error.status} for ${name}`, { retryable: true });
  return new TaskError(`GitHub answered ${error.status} for ${name}: ${error.message}`, { retryable: false });
}
