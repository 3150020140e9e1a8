import { TaskError } from './task-error.ts';

// Jobs are written by any member of an organization, and a job names the URL a task reaches. A
// credential attached to whatever URL a job names goes wherever a member points it (issue 13),
// so each secret carries the hosts its owner allows, and every place that attaches one asks here
// first. The agent loads this at start: it must stay free of dependencies.

/** One entry of a credential's `hosts:`: a host, a host and port, or a URL prefix. */
export interface HostPattern {
  /** As written, for messages. */
  text: string;
  /** Lower-case, as URL parsing normalizes it (IPv6 in brackets). */
  hostname: string;
  /** The port required, or null for any port. */
  port: string | null;
  /** For URL prefixes: the scheme (`https:`, `http:`, `ssh:`) and the path the URL must be below. */
  prefix: { protocol: string; path: string } | null;
}

/** Where a secret may be sent. `hosts` null: not scoped yet, so it is sent nowhere. */
export interface SecretScope {
  /** How messages name the secret: `credential deploy-repo`, `GITHUB_TOKEN`. Never the secret. */
  label: string;
  /** Where its hosts are set, for messages: `the hosts: of agent.credentials.deploy-repo`, `GITHUB_TOKEN_HOSTS`. */
  setting: string;
  hosts: readonly HostPattern[] | null;
}

/** A token and where it may be sent: GITHUB_TOKEN with GITHUB_TOKEN_HOSTS. */
export interface ScopedToken {
  token: string;
  scope: SecretScope;
}

/** A URL reduced to what scopes compare. */
interface Destination {
  protocol: string;
  hostname: string;
  /** The effective port: explicit, or the scheme's default. */
  port: string;
  path: string;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ssh:': '22' };
const PREFIX_PROTOCOLS = ['http:', 'https:', 'ssh:'];
// git's scp-like address: user@host:path.
const SCP_LIKE = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/\/)(.*)$/;
const HOST_AND_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]]+)(?::(\d{1,5}))?$/;

/**
 * Parses one `hosts:` entry; a string is the problem with it, which never quotes the entry (one
 * pasted with a password in it must not reach a log).
 */
export function parseHostPattern(text: string): HostPattern | string {
  const trimmed = text.trim();
  if (trimmed === '') return 'must not be empty';
  if (trimmed.includes('*')) return 'wildcards are not supported; list each host';
  if (trimmed.includes('://')) return parsePrefix(trimmed);
  const match = HOST_AND_PORT.exec(trimmed);
  if (match === null) return 'must be a host (registry.example.com), a host and port (registry.example.com:5000) or a URL prefix (https://git.example.com/team/)';
  const hostname = normalizeHostname(match[1] as string);
  if (hostname === null) return 'is not a host name';
  const port = match[2] === undefined ? null : validPort(match[2]);
  if (port === undefined) return 'has a port outside 1-65535';
  return { text: trimmed, hostname, port, prefix: null };
}

function parsePrefix(text: string): HostPattern | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a valid URL';
  }
  if (!PREFIX_PROTOCOLS.includes(url.protocol)) return 'a URL prefix must start with https://, http:// or ssh://';
  if (url.username !== '' || url.password !== '') return 'must not hold a user name or password (those belong in the job or the credential)';
  if (url.search !== '' || url.hash !== '') return 'a URL prefix must not have a query or fragment';
  if (url.hostname === '') return 'a URL prefix must name a host';
  return {
    text,
    hostname: url.hostname.toLowerCase(),
    port: url.port === '' ? (DEFAULT_PORTS[url.protocol] as string) : url.port,
    prefix: { protocol: url.protocol, path: url.pathname === '' ? '/' : url.pathname },
  };
}

function normalizeHostname(host: string): string | null {
  try {
    const hostname = new URL(`http://${host}`).hostname;
    return hostname === '' ? null : hostname;
  } catch {
    return null;
  }
}

function validPort(text: string): string | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? String(port) : undefined;
}

/** http(s) and ssh URLs, and git's `user@host:path`, as scopes see them; null if unreadable. */
function destinationOf(url: string): Destination | null {
  const scp = SCP_LIKE.exec(url);
  if (scp !== null) {
    const hostname = normalizeHostname(scp[1] as string);
    return hostname === null ? null : { protocol: 'ssh:', hostname, port: '22', path: `/${scp[2] ?? ''}` };
  }
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '') return null;
    const port = parsed.port === '' ? DEFAULT_PORTS[parsed.protocol] : parsed.port;
    if (port === undefined) return null;
    return { protocol: parsed.protocol, hostname: parsed.hostname.toLowerCase(), port, path: parsed.pathname === '' ? '/' : parsed.pathname };
  } catch {
    return null;
  }
}

function matches(pattern: HostPattern, destination: Destination): boolean {
  if (pattern.hostname !== destination.hostname) return false;
  if (pattern.port !== null && pattern.port !== destination.port) return false;
  if (pattern.prefix === null) return true;
  if (pattern.prefix.protocol !== destination.protocol) return false;
  const path = pattern.prefix.path;
  // Segment-wise: https://git.example.com/team covers /team and /team/app, not /teammates.
  return path.endsWith('/') ? destination.path.startsWith(path) : destination.path === path || destination.path.startsWith(`${path}/`);
}

/** `host:port` of a URL, for messages (never its path, user or password). */
export function hostOf(url: string): string {
  const destination = destinationOf(url);
  return destination === null ? 'an unreadable address' : `${destination.hostname}:${destination.port}`;
}

/** Whether the secret of `scope` may be sent to `url`. */
export function mayReceive(scope: SecretScope, url: string): boolean {
  const destination = destinationOf(url);
  return destination !== null && scope.hosts !== null && scope.hosts.some((pattern) => matches(pattern, destination));
}

/**
 * Throws a TaskError (not retryable: the job or the agent's config must change) unless the
 * secret of `scope` may be sent to `url`. The message names the host, never the secret; `what`
 * says what is there when it is not plain from the job (`the registry's token service`).
 */
export function requireDestination(scope: SecretScope, url: string, what?: string): void {
  if (scope.hosts === null) {
    throw new TaskError(
      `${scope.label} has no hosts: in the agent's config.yaml, so the agent sends it nowhere; list the hosts it may be sent to (see the agent's README)`,
      { retryable: false },
    );
  }
  if (mayReceive(scope, url)) return;
  const allowed = scope.hosts.map((pattern) => pattern.text).join(', ');
  const where = what === undefined ? hostOf(url) : `${what} at ${hostOf(url)}`;
  throw new TaskError(`${scope.label} may not be sent to ${where}: that host is not in ${scope.setting} (${allowed}); the agent refused to send it`, {
    retryable: false,
  });
}
