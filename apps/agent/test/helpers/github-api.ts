import { createHash } from 'node:crypto';
import { startLocalServer, type LocalServer } from './http-server.ts';

/** A release as the GitHub REST API returns it (the fields the agent reads, and some it does not). */
export interface GithubRelease {
  id: number;
  tag_name: string;
  name: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  html_url: string;
  body: string;
}

/** Releases newest first, as GitHub lists them; every 7th a prerelease, the newest a draft. */
export function makeReleases(owner: string, repo: string, count: number): GithubRelease[] {
  const releases: GithubRelease[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const tag = `v1.${Math.floor(i / 10)}.${i % 10}${i % 7 === 3 ? '-rc.1' : ''}`;
    const date = new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().replace('.000Z', 'Z');
    const draft = i === count - 1;
    releases.push({
      id: 1000 + i,
      tag_name: tag,
      name: `Release ${tag}`,
      draft,
      prerelease: i % 7 === 3,
      created_at: date,
      published_at: draft ? null : date,
      html_url: `https://github.com/${owner}/${repo}/releases/tag/${tag}`,
      body: `Changes in ${tag}`,
    });
  }
  return releases;
}

/** A tag as the GitHub REST API lists it (no date: that is on its commit). */
export interface GithubTag {
  name: string;
  commit: { sha: string; url: string };
  zipball_url: string;
  tarball_url: string;
  node_id: string;
}

/** Tags newest first as GitHub lists them, each with a commit dated a day after the previous. */
export function makeTags(owner: string, repo: string, names: readonly string[], commits: Map<string, string>, firstDate = Date.UTC(2024, 0, 1)): GithubTag[] {
  return names.map((name, i) => {
    const sha = createHash('sha1').update(`${owner}/${repo}@${name}`).digest('hex');
    commits.set(sha, new Date(firstDate + (names.length - 1 - i) * 86_400_000).toISOString().replace('.000Z', 'Z'));
    return {
      name,
      commit: { sha, url: `https://api.github.com/repos/${owner}/${repo}/commits/${sha}` },
      zipball_url: `https://api.github.com/repos/${owner}/${repo}/zipball/refs/tags/${name}`,
      tarball_url: `https://api.github.com/repos/${owner}/${repo}/tarball/refs/tags/${name}`,
      node_id: Buffer.from(`tag:${name}`).toString('base64'),
    };
  });
}

/** A stand-in for the GitHub REST API's release and tag listings, with pagination, ETags and rate limit. */
export interface GithubApiStandIn extends LocalServer {
  repos: Map<string, GithubRelease[]>;
  /** Tags by owner/repo, and commit dates by sha (the git data API). */
  tags: Map<string, GithubTag[]>;
  commits: Map<string, string>;
  /** Requests seen: path with query, and the If-None-Match sent. */
  requests: { path: string; ifNoneMatch: string | undefined; authorization: string | undefined }[];
  /** Requests left in the current rate-limit window; 304 answers do not count, as on GitHub. */
  rateLimit: { remaining: number; limit: number; resetEpochSeconds: number };
  /** Another origin its `Link` headers point to (a hostile server's), instead of its own. */
  linkOrigin: string | undefined;
}

/** Starts the stand-in on 127.0.0.1; pass its `url` as the source's baseUrl (like GHE's /api/v3). */
export async function startGithubApi(): Promise<GithubApiStandIn> {
  const repos = new Map<string, GithubRelease[]>();
  const tags = new Map<string, GithubTag[]>();
  const commits = new Map<string, string>();
  const requests: GithubApiStandIn['requests'] = [];
  const rateLimit = { remaining: 5000, limit: 5000, resetEpochSeconds: Math.floor(Date.now() / 1000) + 3600 };
  const local = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ifNoneMatch = req.headers['if-none-match'];
    requests.push({ path: url.pathname + url.search, ifNoneMatch, authorization: req.headers.authorization });
    const limitHeaders = () => ({
      'x-ratelimit-limit': String(rateLimit.limit),
      'x-ratelimit-remaining': String(rateLimit.remaining),
      'x-ratelimit-reset': String(rateLimit.resetEpochSeconds),
      'x-ratelimit-used': String(rateLimit.limit - rateLimit.remaining),
      'x-ratelimit-resource': 'core',
    });
    const commit = /^\/repos\/([^/]+)\/([^/]+)\/git\/commits\/([0-9a-f]{40})$/.exec(url.pathname);
    if (commit !== null && commits.has(commit[3] as string)) {
      rateLimit.remaining--;
      const date = commits.get(commit[3] as string);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...limitHeaders() });
      res.end(JSON.stringify({ sha: commit[3], node_id: 'C_x', author: { name: 'A', email: 'a@example.com', date }, committer: { name: 'GitHub', email: 'noreply@github.com', date }, message: 'Release', tree: { sha: 'f'.repeat(40), url: '' }, parents: [], verification: { verified: false, reason: 'unsigned', signature: null, payload: null } }));
      return;
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(releases|tags)$/.exec(url.pathname);
    const releases: unknown[] | undefined = match === null ? undefined : (match[3] === 'tags' ? tags : repos).get(`${match[1]}/${match[2]}`);
    if (releases === undefined) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', ...limitHeaders() });
      res.end(JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest/releases/releases#list-releases', status: '404' }));
      return;
    }
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const body = JSON.stringify(releases.slice((page - 1) * perPage, page * perPage));
    const etag = `W/"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
    if (ifNoneMatch === etag) {
      res.writeHead(304, { etag, ...limitHeaders() });
      res.end();
      return;
    }
    if (rateLimit.remaining <= 0) {
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', ...limitHeaders() });
      res.end(JSON.stringify({ message: 'API rate limit exceeded for 127.0.0.1. (But here\'s the good news: Authenticated requests get a higher rate limit.)', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' }));
      return;
    }
    rateLimit.remaining--;
    const lastPage = Math.max(1, Math.ceil(releases.length / perPage));
    const origin = standIn.linkOrigin ?? `http://127.0.0.1:${local.port}`;
    const link = (n: number, rel: string) => `<${origin}${url.pathname}?per_page=${perPage}&page=${n}>; rel="${rel}"`;
    const links = [];
    if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      etag,
      ...(links.length > 0 ? { link: links.join(', ') } : {}),
      ...limitHeaders(),
    });
    res.end(body);
  });
  const standIn: GithubApiStandIn = Object.assign(local, { repos, tags, commits, requests, rateLimit, linkOrigin: undefined });
  return standIn;
}
