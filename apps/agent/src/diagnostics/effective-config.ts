import type { AgentConfig } from '../config.ts';
import type { Credentials } from '../credentials.ts';
import { displayUrl } from '../display-url.ts';
import type { ProbeScope } from './probe-scope.ts';

/** What a secret is shown as: that it is set, never what it is. */
const REDACTED = '(set, redacted)';

/**
 * The agent's settings as it runs with them, for an operator to compare with what they deployed:
 * every secret (keys, tokens, passwords, private keys) is shown only as set or not.
 */
export function effectiveConfig(config: AgentConfig, credentials: Credentials, scope: ProbeScope, version: string): Record<string, string | number | boolean | null | string[]> {
  const probes = scope.describe();
  return {
    version,
    AGENT_SERVER_URL: displayUrl(config.serverUrl),
    AGENT_API_KEY: config.auth.kind === 'api-key' ? REDACTED : null,
    AGENT_ENROLLMENT_TOKEN: config.auth.kind === 'enroll' ? REDACTED : null,
    key: config.auth.kind === 'api-key' ? 'AGENT_API_KEY' : `enrolled, kept in ${config.stateDir}`,
    AGENT_STATE_DIR: config.stateDir,
    AGENT_NAME: config.name,
    hostname: config.hostname,
    AGENT_POLL_INTERVAL: config.pollIntervalSeconds,
    AGENT_CAPABILITIES: [...config.capabilities],
    AGENT_MAX_CONCURRENT_TASKS: config.maxConcurrentTasks,
    GITHUB_TOKEN: config.githubToken ? REDACTED : null,
    GITHUB_TOKEN_HOSTS: config.githubToken?.scope.hosts?.map((h) => h.text) ?? null,
    AGENT_CONFIG: config.credentialsFile.path,
    credentials: [...credentials].map(([name, credential]) => `${name} (${credential.type}; hosts: ${credential.scope.hosts?.map((h) => h.text).join(', ') ?? 'none, so sent nowhere'})`),
    AGENT_CACHE_DIR: config.cacheDir,
    AGENT_PROBE_ALLOW: config.probeAllow.map((entry) => entry.text),
    probeAllowed: probes.configured,
    probeAllowedTaskHosts: probes.taskHosts,
    AGENT_TASK_WORKER_IDLE_SECONDS: config.taskWorker.idleMs / 1000,
    AGENT_TASK_WORKER_MAX_HEAP_MB: config.taskWorker.maxHeapMb,
    AGENT_METRICS_PORT: config.metricsPort ?? null,
    AGENT_KUBE_CLUSTER: config.kube?.cluster ?? null,
    AGENT_KUBE_NAMESPACES: config.kube?.namespaces ?? null,
    kubeSource: config.kube ? (config.kube.source.kind === 'kubeconfig' ? `kubeconfig ${config.kube.source.path}` : 'in-cluster service account') : null,
    LOG_LEVEL: config.logLevel,
  };
}
