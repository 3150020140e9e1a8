import { hostname } from 'node:os';
import { z } from 'zod';
import { env, parseEnv } from '@planekeeper/runtime';
import { parseHostPattern, type HostPattern, type ScopedToken } from './credential-scope.ts';

/** Task kinds an agent can run; a subset is declared as its capabilities. */
export const CAPABILITIES = ['gather', 'scrape', 'helm_sync'] as const;
/** A task kind this agent can run. */
export type Capability = (typeof CAPABILITIES)[number];

/** Where the credentials file is looked for when AGENT_CONFIG is not set. */
export const DEFAULT_CREDENTIALS_FILE = '/etc/planekeeper/config.yaml';

const capabilityList = z
  .string()
  .transform((value) => [...new Set(value.split(',').map((part) => part.trim()).filter((part) => part !== ''))])
  .pipe(z.array(z.enum(CAPABILITIES, { message: `each capability must be one of ${CAPABILITIES.join(', ')}` })).min(1, 'list at least one capability'));

/** Where GITHUB_TOKEN may go when GITHUB_TOKEN_HOSTS is not set: github.com's API only. */
const DEFAULT_GITHUB_TOKEN_HOST = 'api.github.com';

const hostList = z.string().transform((value, ctx): HostPattern[] => {
  const entries = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'list at least one host' });
  const patterns: HostPattern[] = [];
  entries.forEach((entry, index) => {
    const parsed = parseHostPattern(entry);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${parsed}` });
    else patterns.push(parsed);
  });
  return patterns;
});

const schema = z.object({
  // The agent API root of the Planekeeper server, e.g. https://planekeeper.example.com/api/v1/agent.
  AGENT_SERVER_URL: z
    .string()
    .transform((value) => value.replace(/\/+$/, ''))
    .refine((value) => /^https?:\/\/[^/\s]+(\/\S*)?$/.test(value) && URL.canParse(value), { message: 'expected an http:// or https:// URL' })
    .refine((value) => value.endsWith('/api/v1/agent'), { message: 'must end in /api/v1/agent' }),
  // An API key with the agent role; sent as a bearer token, never logged.
  AGENT_API_KEY: z.string().startsWith('pk_', { message: 'must be a Planekeeper API key starting with pk_' }),
  // Seconds between heartbeats, and the longest a claim waits for work.
  AGENT_POLL_INTERVAL: env.seconds(30, 0.1),
  // How this agent appears in Planekeeper; agents are identified by organization and name.
  AGENT_NAME: z.string().trim().min(1).max(200).default(hostname()),
  // Comma-separated task kinds this agent runs.
  AGENT_CAPABILITIES: capabilityList.default([...CAPABILITIES]),
  // Tasks run at once.
  AGENT_MAX_CONCURRENT_TASKS: env.int(4, 1, 1000),
  // Optional GitHub token: 5,000 instead of 60 API requests an hour.
  GITHUB_TOKEN: z.string().optional(),
  // Comma-separated hosts (host, host:port or URL prefix) GITHUB_TOKEN may be sent to; a GitHub
  // Enterprise server is listed here, with api.github.com if the token is for github.com too.
  GITHUB_TOKEN_HOSTS: hostList.default(() => [parseHostPattern(DEFAULT_GITHUB_TOKEN_HOST) as HostPattern]),
  // The credentials file (ssh_key, https_pat, registry_basic); optional at the default path.
  AGENT_CONFIG: z.string().optional(),
  // Where git repositories are cached between scrapes.
  AGENT_CACHE_DIR: z.string().default('/tmp/planekeeper'),
  LOG_LEVEL: env.logLevel(),
  // Port of /healthz, /readyz and /metrics; unset = no ops server (the agent needs no inbound port).
  AGENT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

/** The agent's settings, read once at start. */
export interface AgentConfig {
  serverUrl: string;
  apiKey: string;
  pollIntervalSeconds: number;
  name: string;
  hostname: string;
  capabilities: Capability[];
  maxConcurrentTasks: number;
  /** GITHUB_TOKEN and where it may be sent (GITHUB_TOKEN_HOSTS). */
  githubToken: ScopedToken | undefined;
  /** Path of config.yaml and whether AGENT_CONFIG named it (then it must exist). */
  credentialsFile: { path: string; explicit: boolean };
  cacheDir: string;
  logLevel: string;
  metricsPort: number | undefined;
  /** Variables git and ssh inherit: PATH, proxies and CA bundles of the site; nothing else. */
  childEnv: Record<string, string>;
}

const INHERITED_BY_GIT = [
  'PATH', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO',
];

/** Reads the agent's settings from `source`; throws a ConfigError naming every bad variable. */
export function loadAgentConfig(source: NodeJS.ProcessEnv = process.env): AgentConfig {
  const parsed = parseEnv('agent', schema, source);
  return {
    serverUrl: parsed.AGENT_SERVER_URL,
    apiKey: parsed.AGENT_API_KEY,
    pollIntervalSeconds: parsed.AGENT_POLL_INTERVAL,
    name: parsed.AGENT_NAME,
    hostname: hostname(),
    capabilities: parsed.AGENT_CAPABILITIES,
    maxConcurrentTasks: parsed.AGENT_MAX_CONCURRENT_TASKS,
    githubToken:
      parsed.GITHUB_TOKEN === undefined
        ? undefined
        : { token: parsed.GITHUB_TOKEN, scope: { label: 'GITHUB_TOKEN', setting: 'GITHUB_TOKEN_HOSTS', hosts: parsed.GITHUB_TOKEN_HOSTS } },
    credentialsFile: { path: parsed.AGENT_CONFIG ?? DEFAULT_CREDENTIALS_FILE, explicit: parsed.AGENT_CONFIG !== undefined },
    cacheDir: parsed.AGENT_CACHE_DIR,
    logLevel: parsed.LOG_LEVEL,
    metricsPort: parsed.AGENT_METRICS_PORT,
    childEnv: Object.fromEntries(INHERITED_BY_GIT.flatMap((name) => (source[name] ? [[name, source[name]]] : []))),
  };
}
