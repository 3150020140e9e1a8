import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { closeServer, ConfigError, createMetricsRegistry, createOpsServer, listen, type Logger, type Service } from '@planekeeper/runtime';
import { createAgentApi, type AgentApi } from './api-client.ts';
import type { AgentConfig } from './config.ts';
import { loadCredentials, unscopedCredentials, type Credentials } from './credentials.ts';
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
  const api = overrides.api ?? createAgentApi({ serverUrl: config.serverUrl, apiKey: config.apiKey, userAgent });
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
  const instanceId = randomUUID();
  const loop = createTaskLoop({
    instanceId,
    sampleHealth: createHealthSampler(config.cacheDir),
    ...(config.clockOffsetMs !== 0 ? { now: () => Date.now() + config.clockOffsetMs } : {}),
    api,
    runTask: tasks.runTask,
    logger,
    agent: {
      name: config.name,
      version: AGENT_VERSION,
      hostname: config.hostname,
      capabilities: [...config.capabilities],
      credentials: declared,
      maxConcurrentTasks: config.maxConcurrentTasks,
    },
    timings: { ...DEFAULT_TIMINGS, pollIntervalMs: config.pollIntervalSeconds * 1000, ...overrides.timings },
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
      loop.start();
      logger.info(
        {
          server: displayUrl(config.serverUrl),
          agentName: config.name,
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
      await loop.stop();
      api.close();
      await tasks.close();
      if (opsServer !== undefined) await closeServer(opsServer);
    },
    status: () => loop.status(),
    opsPort: () => opsPort,
  };
}
