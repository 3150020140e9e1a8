import type { ServerResponse } from 'node:http';
import { basicCredentials, startLocalServer, type LocalServer } from './http-server.ts';

/**
 * A stand-in for a token-authenticated registry (Docker Hub, GHCR, Harbor): the distribution API's
 * `tags/list` with `n`/`last` pagination and `Link` headers, behind a `WWW-Authenticate: Bearer`
 * challenge, with the token service at `/token` honouring basic auth. Debian's registry 2.8
 * ignores `n` and has no token service, hence this stand-in for those two behaviours.
 */
export interface TokenRegistryStandIn extends LocalServer {
  /** Tags per repository; `private` repositories need the basic credentials at the token service. */
  repositories: Map<string, { tags: string[]; private: boolean }>;
  credentials: { username: string; password: string };
  requests: { path: string; host: string | undefined; authorization: string | undefined }[];
  /** Another origin its `Link` headers point to (a hostile server's), instead of a relative path. */
  linkOrigin: string | undefined;
  /** The origin its challenges name as the token realm; its own by default. */
  realmOrigin: string | undefined;
}

/** Starts the stand-in on 127.0.0.1. */
export async function startTokenRegistry(): Promise<TokenRegistryStandIn> {
  const repositories: TokenRegistryStandIn['repositories'] = new Map();
  const credentials = { username: 'robot$ci', password: 'registry-password' };
  const requests: TokenRegistryStandIn['requests'] = [];
  const issued = new Map<string, string>();
  let tokenCount = 0;
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', ...headers });
    res.end(JSON.stringify(body));
  };
  const local = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname + url.search, host: req.headers.host, authorization: req.headers.authorization });
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      const name = /^repository:([^:]+):pull$/.exec(scope)?.[1];
      const repository = name === undefined ? undefined : repositories.get(name);
      const given = basicCredentials(req);
      if (given !== undefined && (given.username !== credentials.username || given.password !== credentials.password)) {
        return json(res, 401, { details: 'incorrect username or password' });
      }
      if (repository?.private === true && given === undefined) return json(res, 401, { details: 'authentication required' });
      const token = `token-${++tokenCount}`;
      issued.set(token, name ?? '');
      return json(res, 200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
    }
    const match = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    const name = match?.[1];
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    if (name === undefined || token === undefined || issued.get(token) !== name) {
      const scope = name === undefined ? '' : `,scope="repository:${name}:pull"`;
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }, {
        'www-authenticate': `Bearer realm="${standIn.realmOrigin ?? `http://127.0.0.1:${local.port}`}/token",service="registry.test"${scope}`,
      });
    }
    const repository = repositories.get(name);
    if (repository === undefined) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name } }] });
    const sorted = [...repository.tags].sort();
    const n = Number(url.searchParams.get('n') ?? sorted.length);
    const last = url.searchParams.get('last');
    const start = last === null ? 0 : sorted.findIndex((tag) => tag > last);
    const page = start === -1 ? [] : sorted.slice(start, start + n);
    const more = start !== -1 && start + n < sorted.length;
    const next = `/v2/${name}/tags/list?last=${encodeURIComponent(page.at(-1) ?? '')}&n=${n}`;
    const link: Record<string, string> = more ? { link: `<${standIn.linkOrigin ?? ''}${next}>; rel="next"` } : {};
    return json(res, 200, { name, tags: page }, link);
  });
  const standIn: TokenRegistryStandIn = Object.assign(local, { repositories, credentials, requests, linkOrigin: undefined, realmOrigin: undefined });
  return standIn;
}
