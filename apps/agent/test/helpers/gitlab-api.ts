import { startLocalServer, type LocalServer } from './http-server.ts';

// A stand-in for GitLab's REST API v4 releases listing: offset pagination with x-page,
// x-next-page, x-per-page, x-total and x-total-pages headers (and a Link header), private
// projects behind a token, RateLimit-* headers, and the error bodies GitLab answers.

/** A release as GitLab's API lists it (the fields the agent reads, and some it does not). */
export interface GitlabRelease {
  name: string;
  tag_name: string;
  description: string;
  created_at: string;
  released_at: string;
  upcoming_release: boolean;
  author: { id: number; username: string };
  commit: { id: string; short_id: string };
  _links: { self: string };
}

/** Releases newest first, one a week, the newest `upcoming` ones in the future. */
export function makeGitlabReleases(projectPath: string, tags: readonly string[], options: { upcoming?: number } = {}): GitlabRelease[] {
  const now = Date.now();
  return tags.map((tag, i) => {
    const released = new Date(now + ((options.upcoming ?? 0) - i) * 7 * 86_400_000 - 86_400_000).toISOString();
    return {
      name: `Release ${tag}`,
      tag_name: tag,
      description: `Changes in ${tag}`,
      created_at: released,
      released_at: released,
      upcoming_release: i < (options.upcoming ?? 0),
      author: { id: 1, username: 'release-bot' },
      commit: { id: 'a'.repeat(40), short_id: 'aaaaaaaa' },
      _links: { self: `https://gitlab.example.com/${projectPath}/-/releases/${tag}` },
    };
  });
}

export interface GitlabApiStandIn extends LocalServer {
  /** Releases by project path; `ids` maps numeric ids to paths. */
  projects: Map<string, GitlabRelease[]>;
  ids: Map<string, string>;
  /** Projects visible only with `token`. */
  privateProjects: Set<string>;
  token: string;
  /** Answer every request with this instead (403 rate limit, 500, malformed JSON). */
  fault: 'rate-limited' | 'server-error' | 'malformed' | undefined;
  requests: { path: string; authorization: string | undefined; privateToken: string | undefined }[];
  /** Another origin its `Link` headers point to (a hostile server's), instead of its own. */
  linkOrigin: string | undefined;
}

export async function startGitlabApi(token = 'glpat-standin-0123456789abcdef'): Promise<GitlabApiStandIn> {
  const state = {
    projects: new Map<string, GitlabRelease[]>(),
    ids: new Map<string, string>(),
    privateProjects: new Set<string>(),
    fault: undefined as GitlabApiStandIn['fault'],
    requests: [] as GitlabApiStandIn['requests'],
  };
  const local = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorization = req.headers.authorization;
    const privateToken = req.headers['private-token'] as string | undefined;
    state.requests.push({ path: url.pathname + url.search, authorization, privateToken });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (standIn.fault === 'rate-limited') {
      const reset = String(Math.floor(Date.now() / 1000) + 60);
      return json(429, { message: 'Retry later' }, { 'ratelimit-limit': '600', 'ratelimit-remaining': '0', 'ratelimit-reset': reset, 'retry-after': '60' });
    }
    if (standIn.fault === 'server-error') return json(500, { message: '500 Internal Server Error' });
    const match = /^\/api\/v4\/projects\/([^/]+)\/releases$/.exec(url.pathname);
    if (!match) return json(404, { error: '404 Not Found' });
    const id = decodeURIComponent(match[1] as string);
    const path = state.ids.get(id) ?? id;
    const authenticated = authorization === `Bearer ${token}` || privateToken === token;
    if ((authorization !== undefined || privateToken !== undefined) && !authenticated) return json(401, { message: '401 Unauthorized' });
    const releases = state.projects.get(path);
    // GitLab answers 404, not 403, for a private project the caller may not see.
    if (releases === undefined || (state.privateProjects.has(path) && !authenticated)) return json(404, { message: '404 Project Not Found' });
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 20));
    const page = Number(url.searchParams.get('page') ?? 1);
    const totalPages = Math.max(1, Math.ceil(releases.length / perPage));
    const next = page < totalPages ? String(page + 1) : '';
    const link = (n: number, rel: string) => `<${standIn.linkOrigin ?? `http://127.0.0.1:${local.port}`}${url.pathname}?page=${n}&per_page=${perPage}>; rel="${rel}"`;
    const body = JSON.stringify(releases.slice((page - 1) * perPage, page * perPage));
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-page': String(page),
      'x-next-page': next,
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-per-page': String(perPage),
      'x-total': String(releases.length),
      'x-total-pages': String(totalPages),
      link: [...(next ? [link(page + 1, 'next')] : []), link(1, 'first'), link(totalPages, 'last')].join(', '),
      'ratelimit-limit': '600',
      'ratelimit-remaining': '599',
    });
    res.end(standIn.fault === 'malformed' ? body.slice(0, body.length - 3) : body);
  });
  const standIn: GitlabApiStandIn = Object.assign(local, state, { token, linkOrigin: undefined });
  return standIn;
}
