import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { closeServer, ConfigError, createMetricsRegistry, createOpsServer, listen, type Logger, type Service } from '@planekeeper/runtime';
import { createAgentApi, type AgentApi } from './api-client.ts';
import type { AgentConfig } from './config.ts';
import { loadCredentials, unscopedCredentials, type Credentials } from './credentials.ts';
import { createDiagnosticsLoop } from './diagnostics/diagnostics-loop.ts';
import { effectiveConfig } from './diagnostics/effective-config.ts';
import { ProbeScope } from './diagnostics/probe-scope.ts';
import { displayUrl } from './display-url.ts';
import { createHealthSampler } from './health.ts';
import type { EtagMemory } from './gather/github.ts';
import { createTaskLoop, DEFAULT_TIMINGS, type LoopTimings, type TaskLoop } from './loop.ts';
import { createTaskWorker } from './task-worker/task-worker.ts';

/** The agent's version, as declared in its package.json (beside both src/ and dist/). */
export const AGENT_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A running agent: a Service for runService, plus its loop's status. */
export interface Agent extends Service {
  status: TaskLoop['status'];
  /** The port of the ops server, once started (undefined without AGENT_METRICS_PORT). */
  opsPort(): number | undefined;
}

/** Test seams: credentials already loaded, shorter timings, another client. */
export interface AgentOverrides {
  credentials?: Credentials;
  timings?: Partial<LoopTimings>;
  api?: AgentApi;
}

/**
 * Wires the agent: credentials, the agent API client, the task worker (the process that runs the
 * tasks), the loop and the optional ops server (/healthz, /readyz, /metrics). Stop releases them
 * in reverse order.
 */
export function createAgent(config: AgentConfig, logger: Logger, overrides: AgentOverrides = {}): Agent {
  const credentials = overrides.credentials ?? loadCredentials(config.credentialsFile);
  if (config.kube && credentials.has(config.kube.cluster)) {
    throw new ConfigError('agent', [`AGENT_KUBE_CLUSTER: ${config.kube.cluster} is also the name of a credential in AGENT_CONFIG; jobs could not tell them apart`]);
  }
  const userAgent = `planekeeper-agent/${AGENT_VERSION}`;
  const etags: EtagMemory = new Map();
  if (config.auth.kind === 'enroll') throw new Error('the agent must enroll (enrollWithToken) before it is created');
  const api = overrides.api ?? createAgentApi({ serverUrl: config.serverUrl, apiKey: config.auth.apiKey, userAgent });
  // An enrolled key belongs to the name it was enrolled under: that is who this agent is.
  const name = config.auth.kind === 'stored' ? config.auth.stored.name : config.name;
  const tasks = createTaskWorker({
    settings: { capabilities: config.capabilities, cacheDir: config.cacheDir, childEnv: config.childEnv, userAgent, logLevel: config.logLevel, kube: config.kube },
    credentials,
    githubToken: config.githubToken,
    etags,
    logger,
    idleMs: config.taskWorker.idleMs,
    maxHeapMb: config.taskWorker.maxHeapMb,
    env: config.workerEnv,
  });
  // The cluster's name is declared beside the credentials: cluster jobs name it as theirs.
  const declared = [...credentials.keys(), ...(config.kube ? [config.kube.cluster] : [])];
  // What a probe may reach: where this configuration already sends the agent, and AGENT_PROBE_ALLOW.
  const probeScope = new ProbeScope(
    [
      new URL(config.serverUrl).hostname,
      ...[...credentials.values()].flatMap((c) => c.scope.hosts?.map((h) => h.hostname) ?? []),
      ...(config.githubToken?.scope.hosts?.map((h) => h.hostname) ?? []),
    ],
    config.probeAllow,
  );
  const instanceId = randomUUID();
  const loop = createTaskLoop({
    instanceId,
    sampleHealth: createHealthSampler(config.cacheDir),
    ...(config.clockOffsetMs !== 0 ? { now: () => Date.now() + config.clockOffsetMs } : {}),
    api,
    runTask: (task, signal) => {
      probeScope.rememberTask(task.spec);
      return tasks.runTask(task, signal);
    },
    logger,
    agent: {
      name,
      version: AGENT_VERSION,
      hostname: config.hostname,
      capabilities: [...config.capabilities],
      credentials: declared,
      maxConcurrentTasks: config.maxConcurrentTasks,
    },
    timings: { ...DEFAULT_TIMINGS, pollIntervalMs: config.pollIntervalSeconds * 1000, ...overrides.timings },
  });
  const diagnostics = createDiagnosticsLoop({
    api,
    logger,
    agentId: () => loop.status().agentId,
    effectiveConfig: () => effectiveConfig({ ...config, name }, credentials, probeScope, AGENT_VERSION),
    allowed: (host) => probeScope.allows(host),
    intervalMs: config.pollIntervalSeconds * 1000,
  });
  let opsServer: Server | undefined;
  let opsPort: number | undefined;

  return {
    async start() {
      try {
        await mkdir(config.cacheDir, { recursive: true });
      } catch (error) {
        throw new Error(`AGENT_CACHE_DIR ${config.cacheDir} cannot be created: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      if (config.metricsPort !== undefined) {
        opsServer = createOpsServer({ registry: createMetricsRegistry('agent'), ready: async () => ({ server: loop.status().heartbeatOk }) });
        opsPort = await listen(opsServer, config.metricsPort);
      }
      for (const name of unscopedCredentials(credentials)) {
        logger.warn(
          { credential: name },
          `credential ${name} has no hosts: in ${config.credentialsFile.path}; the agent will not send it anywhere, and tasks that name it fail, until you list the hosts it may be sent to (see the agent's README)`,
        );
      }
      if (config.auth.kind === 'stored' && config.auth.stored.name !== config.name) {
        logger.warn({ agentName: name, configured: config.name }, `running as ${name}, the name this agent enrolled under; AGENT_NAME ${config.name} is not used while ${config.stateDir} holds that key`);
      }
      loop.start();
      diagnostics.start();
      logger.info(
        {
          server: displayUrl(config.serverUrl),
          agentName: name,
          key: config.auth.kind === 'api-key' ? 'AGENT_API_KEY' : 'enrolled',
          version: AGENT_VERSION,
          capabilities: config.capabilities,
          credentials: [...credentials.keys()],
          cluster: config.kube ? { name: config.kube.cluster, namespaces: config.kube.namespaces, from: config.kube.source.kind } : undefined,
          maxConcurrentTasks: config.maxConcurrentTasks,
          instanceId,
          ...(config.clockOffsetMs !== 0 ? { clockOffsetMs: config.clockOffsetMs } : {}),
          opsPort,
        },
        'agent started',
      );
    },
    async stop() {
      await diagnostics.stop();
      await loop.stop();
      api.close();
      await tasks.close();
      if (opsServer !== undefined) await closeServer(opsServer);
    },
    status: () => loop.status(),
    opsPort: () => opsPort,
  };
}
