import { hostOf, requireDestination } from '../credential-scope.ts';
import { basicAuthOf, type Credential } from '../credentials.ts';
import { basicAuthorization, fetchBounded, parseJsonBody, type BoundedResponse } from '../http-body.ts';
import { TaskError } from '../task-error.ts';

/** Talks to one repository of an OCI registry, answering its auth challenges once per session. */
export interface RegistrySession {
  /** The registry's base URL (scheme, host, port). */
  readonly base: string;
  readonly repository: string;
  /** GETs `url` (absolute, or a path below the base), authenticating when challenged. */
  get(url: string, options: { accept: string; maxBytes: number; what: string }): Promise<BoundedResponse>;
}

/**
 * The registry's API base and the repository name as the distribution API wants them: no scheme
 * means https, and Docker Hub's names (`docker.io`, `nginx`) mean `registry-1.docker.io` and
 * `library/nginx`.
 */
export function registryLocation(registryUrl: string, repository: string): { base: string; repository: string } {
  const parsed = new URL(registryUrl.includes('://') ? registryUrl : `https://${registryUrl}`);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TaskError(`registryUrl must be an http or https URL, not ${parsed.protocol}`, { retryable: false });
  }
  const dockerHub = ['docker.io', 'index.docker.io', 'registry.hub.docker.com'].includes(parsed.hostname);
  if (dockerHub) parsed.hostname = 'registry-1.docker.io';
  return { base: parsed.origin, repository: dockerHub && !repository.includes('/') ? `library/${repository}` : repository };
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` (or `Basic realm="..."`). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  const match = header === undefined ? null : /^\s*(\w+)\s*(.*)$/.exec(header);
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of (match[2] ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(key as string).toLowerCase()] = quoted ?? bare ?? '';
  }
  return { scheme: (match[1] as string).toLowerCase(), params };
}

/**
 * A session with anonymous access first, as docker does: on a 401 it follows the challenge
 * (a bearer token from the realm, fetched with basic auth when a credential is given, or basic
 * auth itself) and retries once; an expired token is renewed the same way.
 *
 * The registry names the realm and the pages that follow, so neither is trusted with secrets:
 * the credential goes to a realm only when the credential's hosts allow the realm's URL, and the
 * session's authorization only to the registry's own origin (a `Link` to another origin is
 * fetched without it, and redirects to another origin drop it).
 */
export function openRegistrySession(options: {
  registryUrl: string;
  repository: string;
  credential?: Credential | undefined;
  signal?: AbortSignal;
}): RegistrySession {
  const { base, repository } = registryLocation(options.registryUrl, options.repository);
  if (options.credential !== undefined && options.credential.type !== 'registry_basic') {
    throw new TaskError(`an OCI registry needs a registry_basic credential, not ${options.credential.type}`, { retryable: false });
  }
  const credential = options.credential;
  if (credential !== undefined) requireDestination(credential.scope, base);
  const basic = basicAuthOf(credential);
  let authorization: string | undefined;
  const sameOrigin = (url: string) => new URL(url, base).origin === base;

  const fetchToken = async (challenge: Challenge): Promise<string> => {
    const realm = challenge.params.realm;
    if (realm === undefined) throw new TaskError('the registry sent a bearer challenge without a realm', { retryable: false });
    const tokenUrl = new URL(realm, base);
    if (challenge.params.service !== undefined) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', challenge.params.scope ?? `repository:${repository}:pull`);
    if (credential !== undefined) requireDestination(credential.scope, tokenUrl.toString(), "the registry's token service");
    const response = await fetchBounded(tokenUrl.toString(), {
      what: 'the registry token service',
      maxBytes: 1024 * 1024,
      headers: { accept: 'application/json', ...(basic === undefined ? {} : { authorization: basicAuthorization(basic) }) },
      signal: options.signal,
    });
    if (response.status === 401 || response.status === 403) {
      throw new TaskError(
        basic === undefined
          ? `the registry requires credentials for ${repository}; set a registry_basic credential on the job`
          : `the registry token service refused the credential (HTTP ${response.status})`,
        { retryable: false },
      );
    }
    if (response.status !== 200) throw new TaskError(`the registry token service answered HTTP ${response.status}`, { retryable: response.status >= 500 || response.status === 429 });
    const body = parseJsonBody<{ token?: unknown; access_token?: unknown }>(response, 'the registry token service');
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') throw new TaskError('the registry token service answered without a token', { retryable: false });
    return token;
  };

  const send = (url: string, request: { accept: string; maxBytes: number; what: string }) =>
    fetchBounded(new URL(url, base).toString(), {
      what: request.what,
      maxBytes: request.maxBytes,
      headers: { accept: request.accept, ...(authorization === undefined || !sameOrigin(url) ? {} : { authorization }) },
      signal: options.signal,
    });

  return {
    base,
    repository,
    async get(url, request) {
      const first = await send(url, request);
      if (first.status !== 401) return first;
      if (!sameOrigin(url)) {
        throw new TaskError(`${request.what} continues at ${hostOf(new URL(url, base).toString())}, another origin than the registry's, which asks for credentials; the agent sends none across origins`, {
          retryable: false,
        });
      }
      const header = first.headers['www-authenticate'];
      const challenge = parseChallenge(Array.isArray(header) ? header[0] : header);
      if (challenge?.scheme === 'bearer') authorization = `Bearer ${await fetchToken(challenge)}`;
      else if (challenge?.scheme === 'basic' && basic !== undefined) authorization = basicAuthorization(basic);
      else throw new TaskError(`the registry requires credentials for ${repository}; set a registry_basic credential on the job`, { retryable: false });
      const second = await send(url, request);
      if (second.status === 401) {
        throw new TaskError(basic === undefined ? `the registry refused anonymous access to ${repository}` : `the registry refused the credential for ${repository}`, {
          retryable: false,
        });
      }
      return second;
    },
  };
}
