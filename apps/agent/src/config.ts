import { accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { z } from 'zod';
import { ConfigError, env, parseEnv } from '@planekeeper/runtime';
import { parseHostPattern, type HostPattern, type ScopedToken } from './credential-scope.ts';
import { parseProbeAllowEntry, type ProbeAllowEntry } from './diagnostics/probe-scope.ts';
import { readStoredKey, type StoredKey } from './enrollment/state.ts';

const namespaceList = z
  .string()
  .transform((value) => [...new Set(value.split(',').map((part) => part.trim()).filter((part) => part !== ''))])
  .pipe(
    z
      .array(z.string().max(63).regex(/^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/, { message: 'each namespace must be a Kubernetes namespace name' }))
      .min(1, 'list at least one namespace'),
  );

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

/** Default of AGENT_TASK_WORKER_MAX_HEAP_MB; see the agent's README for why this much. */
export const TASK_WORKER_MAX_HEAP_MB = 192;

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

const probeAllowList = z.string().transform((value, ctx): ProbeAllowEntry[] => {
  const entries: ProbeAllowEntry[] = [];
  value.split(',').map((part) => part.trim()).filter((part) => part !== '').forEach((entry, index) => {
    const parsed = parseProbeAllowEntry(entry);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${parsed}` });
    else entries.push(parsed);
  });
  return entries;
});

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const schema = z.object({
  // The agent API root of the Planekeeper server, e.g. https://planekeeper.example.com/api/v1/agent.
  AGENT_SERVER_URL: z
    .string()
    .transform((value) => value.replace(/\/+$/, ''))
    .refine((value) => /^https?:\/\/[^/\s]+(\/\S*)?$/.test(value) && URL.canParse(value), { message: 'expected an http:// or https:// URL' })
    .refine((value) => value.endsWith('/api/v1/agent'), { message: 'must end in /api/v1/agent' }),
  // An API key with the agent role; sent as a bearer token, never logged. The alternative to
  // AGENT_ENROLLMENT_TOKEN (recommended), which gets the agent a key of its own.
  AGENT_API_KEY: z.string().startsWith('pk_', { message: 'must be a Planekeeper API key starting with pk_' }).optional(),
  // A one-time enrollment token (pket_...): the agent trades it for a key of its own at its first
  // start and keeps that key in AGENT_STATE_DIR; later starts need no token. Never logged.
  AGENT_ENROLLMENT_TOKEN: z
    .string()
    .trim()
    .regex(/^pket_[A-Za-z0-9_-]{16,120}$/, { message: 'must be a Planekeeper enrollment token: pket_ and the rest, as the api showed it' })
    .optional(),
  // Where the agent keeps what it must remember across restarts (its enrolled key, mode 0600);
  // default: beside AGENT_CACHE_DIR (/tmp/planekeeper-state). Mount a volume here.
  AGENT_STATE_DIR: z.string().trim().max(4096).refine((value) => value.startsWith('/'), 'must be an absolute path').optional(),
  // Comma-separated hosts, IP addresses or CIDR ranges this agent may probe (POST
  // /agents/:id/probes) beyond the hosts of its tasks, its credentials and its server.
  AGENT_PROBE_ALLOW: probeAllowList.default([]),
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
  // Seconds the task worker (the process that runs tasks, with all their code) is kept after its
  // last task; then it ends and its memory goes with it. The next task starts a new one.
  AGENT_TASK_WORKER_IDLE_SECONDS: env.seconds(30, 0),
  // Heap limit of the task worker in MB: an upstream whose answer needs more fails its task (and
  // those running beside it) instead of taking the agent down.
  AGENT_TASK_WORKER_MAX_HEAP_MB: env.int(TASK_WORKER_MAX_HEAP_MB, 64, 16_384),
  LOG_LEVEL: env.logLevel(),
  // Port of /healthz, /readyz and /metrics; unset = no ops server (the agent needs no inbound port).
  AGENT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // Comma-separated namespaces this agent reads workloads and Helm releases in; unset = it reads
  // no cluster. Its RBAC grants exactly these (infra/base/agent.yaml).
  AGENT_KUBE_NAMESPACES: namespaceList.optional(),
  // A kubeconfig for an agent outside the cluster; unset = the pod's service account.
  AGENT_KUBECONFIG: z.string().trim().min(1).max(4096).refine(readable, 'must name a file the agent can read').optional(),
  // The cluster's name: kubernetes and helm_release jobs name it as their credentialName, so they
  // go to an agent of this cluster.
  AGENT_KUBE_CLUSTER: z.string().trim().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$/, 'may hold letters, digits and _ . : @ / -').default('kubernetes'),
  // Set by Kubernetes in every pod: where the in-cluster API is.
  KUBERNETES_SERVICE_HOST: z.string().trim().max(253).regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or an IP address').optional(),
  KUBERNETES_SERVICE_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * Test only: milliseconds added to the clock the agent reads (its heartbeats' `clock`, its lease
   * timing), to show how the server sees an agent whose host clock is wrong. Never set it in a
   * deployment: fix the host's clock (NTP) instead.
   */
  AGENT_CLOCK_OFFSET_MS: z.coerce.number().int().min(-366 * 86_400_000).max(366 * 86_400_000).default(0),
});

/** Where the pod's service account token is mounted (the CA sits beside it). */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** How the agent reads its cluster; absent when AGENT_KUBE_NAMESPACES is not set. */
export interface KubeSettings {
  /** The name kubernetes and helm_release jobs route by (their credentialName). */
  cluster: string;
  namespaces: string[];
  source: { kind: 'kubeconfig'; path: string } | { kind: 'in-cluster' };
}

/** The agent's settings, read once at start. */
export interface AgentConfig {
  serverUrl: string;
  /**
   * How the agent gets its key: AGENT_API_KEY, the key an earlier enrollment stored in the state
   * directory, or an enrollment at start with AGENT_ENROLLMENT_TOKEN.
   */
  auth: { kind: 'api-key'; apiKey: string } | { kind: 'stored'; apiKey: string; stored: StoredKey } | { kind: 'enroll'; token: string };
  /** AGENT_STATE_DIR. */
  stateDir: string;
  /** AGENT_PROBE_ALLOW. */
  probeAllow: ProbeAllowEntry[];
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
  /** The task worker: kept this long after its last task, with this heap limit. */
  taskWorker: { idleMs: number; maxHeapMb: number };
  logLevel: string;
  metricsPort: number | undefined;
  /** The cluster this agent reads, if any. */
  kube: KubeSettings | undefined;
  /** AGENT_CLOCK_OFFSET_MS: test only, see the schema. */
  clockOffsetMs: number;
  /** Variables git and ssh inherit: PATH, proxies and CA bundles of the site; nothing else. */
  childEnv: Record<string, string>;
  /** The task worker's environment: the agent's, without the agent's own secrets. */
  workerEnv: Record<string, string>;
}

/** Variables a task worker never sees: it reads hostile answers, and needs none of them. */
const AGENT_SECRETS = ['AGENT_API_KEY', 'AGENT_ENROLLMENT_TOKEN', 'GITHUB_TOKEN'];

const INHERITED_BY_GIT = [
  'PATH', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO',
];

/**
 * The cluster settings: AGENT_KUBE_NAMESPACES turns them on, read from AGENT_KUBECONFIG or, in a
 * pod, the service account. Only the files' presence is checked here: the Kubernetes client is
 * loaded with the first task that reads the cluster, never by an idle agent.
 */
function kubeSettings(parsed: z.infer<typeof schema>, serviceAccountToken: string): KubeSettings | undefined {
  const fail = (message: string): never => {
    throw new ConfigError('agent', [message]);
  };
  if (parsed.AGENT_KUBE_NAMESPACES === undefined) {
    if (parsed.AGENT_KUBECONFIG !== undefined) fail('AGENT_KUBECONFIG: set AGENT_KUBE_NAMESPACES too, the namespaces the agent may read');
    return undefined;
  }
  let kubeSource: KubeSettings['source'];
  if (parsed.AGENT_KUBECONFIG !== undefined) {
    kubeSource = { kind: 'kubeconfig', path: parsed.AGENT_KUBECONFIG };
  } else {
    let mounted = true;
    try {
      accessSync(serviceAccountToken, constants.R_OK);
    } catch {
      mounted = false;
    }
    if (!parsed.KUBERNETES_SERVICE_HOST || !parsed.KUBERNETES_SERVICE_PORT || !mounted) {
      fail(`AGENT_KUBE_NAMESPACES: the agent is not in a pod with a service account (KUBERNETES_SERVICE_HOST and ${serviceAccountToken}); set AGENT_KUBECONFIG`);
    }
    kubeSource = { kind: 'in-cluster' };
  }
  return { cluster: parsed.AGENT_KUBE_CLUSTER, namespaces: parsed.AGENT_KUBE_NAMESPACES, source: kubeSource };
}

/** The default state directory: beside the cache (/tmp/planekeeper -> /tmp/planekeeper-state). */
export function defaultStateDir(cacheDir: string): string {
  const trimmed = cacheDir.replace(/\/+$/, '') || '/';
  return join(dirname(trimmed), `${basename(trimmed) || 'planekeeper'}-state`);
}

/**
 * The key the agent runs with: AGENT_API_KEY, else one an earlier enrollment stored, else an
 * enrollment with AGENT_ENROLLMENT_TOKEN. Both variables at once is a mistake worth naming.
 */
function authOf(parsed: z.infer<typeof schema>, stateDir: string): AgentConfig['auth'] {
  if (parsed.AGENT_API_KEY !== undefined && parsed.AGENT_ENROLLMENT_TOKEN !== undefined) {
    throw new ConfigError('agent', ['AGENT_ENROLLMENT_TOKEN: set either AGENT_ENROLLMENT_TOKEN (recommended) or AGENT_API_KEY, not both']);
  }
  if (parsed.AGENT_API_KEY !== undefined) return { kind: 'api-key', apiKey: parsed.AGENT_API_KEY };
  const stored = readStoredKey(stateDir);
  if (typeof stored === 'string') throw new ConfigError('agent', [`AGENT_STATE_DIR: ${stored}`]);
  if (stored !== null) return { kind: 'stored', apiKey: stored.key, stored };
  if (parsed.AGENT_ENROLLMENT_TOKEN !== undefined) return { kind: 'enroll', token: parsed.AGENT_ENROLLMENT_TOKEN };
  throw new ConfigError('agent', [
    `AGENT_API_KEY: not set, and neither is AGENT_ENROLLMENT_TOKEN (recommended: an admin makes one with POST /api/v1/agent-enrollment-tokens), nor does AGENT_STATE_DIR (${stateDir}) hold a key from an earlier enrollment`,
  ]);
}

/**
 * The settings of an agent running with an enrolled key: the key, and its capabilities narrowed
 * to what the enrollment token allows (a token for scrape agents makes scrape agents).
 */
export function withEnrolledKey(config: AgentConfig, stored: StoredKey): AgentConfig {
  const allowed = stored.capabilities;
  const capabilities = allowed === null ? config.capabilities : config.capabilities.filter((c) => allowed.includes(c));
  if (capabilities.length === 0) {
    throw new ConfigError('agent', [`AGENT_CAPABILITIES: none of ${config.capabilities.join(', ')} is allowed by the enrollment token this agent enrolled with (${allowed?.join(', ')})`]);
  }
  return { ...config, auth: { kind: 'stored', apiKey: stored.key, stored }, capabilities };
}

/** Reads the agent's settings from `source`; throws a ConfigError naming every bad variable. */
export function loadAgentConfig(source: NodeJS.ProcessEnv = process.env, options: { serviceAccountToken?: string } = {}): AgentConfig {
  let parsed: z.infer<typeof schema>;
  try {
    parsed = parseEnv('agent', schema, source);
  } catch (error) {
    // A missing key is named beside every other problem, as a required variable would be.
    if (!(error instanceof ConfigError) || source.AGENT_API_KEY || source.AGENT_ENROLLMENT_TOKEN) throw error;
    const stateDir = source.AGENT_STATE_DIR?.startsWith('/') ? source.AGENT_STATE_DIR : defaultStateDir(source.AGENT_CACHE_DIR || '/tmp/planekeeper');
    if (readStoredKey(stateDir) !== null) throw error;
    throw new ConfigError('agent', [...error.problems, 'AGENT_API_KEY: set it, or AGENT_ENROLLMENT_TOKEN (recommended) (unset)']);
  }
  const stateDir = parsed.AGENT_STATE_DIR ?? defaultStateDir(parsed.AGENT_CACHE_DIR);
  const config: AgentConfig = {
    serverUrl: parsed.AGENT_SERVER_URL,
    auth: authOf(parsed, stateDir),
    stateDir,
    probeAllow: parsed.AGENT_PROBE_ALLOW,
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
    taskWorker: { idleMs: parsed.AGENT_TASK_WORKER_IDLE_SECONDS * 1000, maxHeapMb: parsed.AGENT_TASK_WORKER_MAX_HEAP_MB },
    logLevel: parsed.LOG_LEVEL,
    metricsPort: parsed.AGENT_METRICS_PORT,
    clockOffsetMs: parsed.AGENT_CLOCK_OFFSET_MS,
    kube: kubeSettings(parsed, options.serviceAccountToken ?? SERVICE_ACCOUNT_TOKEN),
    childEnv: Object.fromEntries(INHERITED_BY_GIT.flatMap((name) => (source[name] ? [[name, source[name]]] : []))),
    workerEnv: Object.fromEntries(Object.entries(source).flatMap(([name, value]) => (value === undefined || AGENT_SECRETS.includes(name) ? [] : [[name, value]]))),
  };
  return config.auth.kind === 'stored' ? withEnrolledKey(config, config.auth.stored) : config;
}
