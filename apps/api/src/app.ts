import { API_KEY_CHANGED_CHANNEL, postgresBackend, TASK_READY_CHANNEL } from '@planekeeper/db';
import { defineService, type Logger, type RunningService } from '@planekeeper/runtime';
import { TaskWaiters } from './agent/task-waiters.ts';
import { ChangeListener } from './change-listener.ts';
import type { ApiConfig } from './config.ts';
import type { ApiDeps } from './deps.ts';
import { ApiKeyCache } from './http/api-key-cache.ts';
import { allRoutes } from './http/routes/index.ts';
import { createHttpApp } from './http/server.ts';
import { registerInstallationGauges } from './metrics.ts';
import { bootstrap, migrate } from './start-steps.ts';

/** The api's dependencies, and the LISTEN connection behind its task waiters and key cache. */
interface ApiWiring extends ApiDeps {
  changes: ChangeListener;
}

const printKey = (key: string) => process.stdout.write(`\nPlanekeeper admin API key (shown once, keep it): ${key}\n\n`);

/**
 * The api: migrations, the bootstrap organization and the change listener as start steps of its
 * own, then the REST API (automation and agent) on its port beside /healthz and /readyz; /metrics
 * is served on the ops port only.
 */
export function createApp(config: ApiConfig, logger: Logger, options: { clock?: () => Date; onBootstrapKey?: (key: string) => void } = {}): RunningService {
  return defineService({
    name: 'api',
    backend: postgresBackend,
    logger,
    port: config.PORT,
    opsPort: config.API_OPS_PORT,
    databaseUrl: config.DATABASE_URL,
    pool: { max: 20 },
    boss: { max: 5 },
    deps: ({ db, boss, databaseUrl, registry }): ApiWiring => {
      const taskWaiters = new TaskWaiters();
      // Keys are trusted from memory only while the listener hears revocations (see ApiKeyCache).
      const apiKeys = new ApiKeyCache({ ttlMs: config.API_KEY_CACHE_SECONDS * 1000, trusted: () => changes.listening });
      const changes = new ChangeListener(databaseUrl, logger, {
        channels: { [TASK_READY_CHANNEL]: (organizationId) => taskWaiters.wake(organizationId), [API_KEY_CHANGED_CHANNEL]: (keyId) => apiKeys.evict(keyId) },
        onGap: () => {
          apiKeys.clear();
          taskWaiters.wakeAll();
        },
      });
      const metrics = registerInstallationGauges(registry, {
        db,
        boss,
        taskWaiters,
        offlineAfterSeconds: config.AGENT_OFFLINE_AFTER_SECONDS,
        staleAfterSeconds: config.AGENT_STALE_AFTER_SECONDS,
      });
      return { db, boss, config, logger, registry, metrics, taskWaiters, apiKeys, changes, clock: options.clock ?? (() => new Date()) };
    },
    onStart: [
      migrate,
      (deps) => bootstrap(deps, options.onBootstrapKey ?? printKey),
      async ({ changes }) => {
        await changes.start();
        return () => changes.stop();
      },
    ],
    // The check keeps the name dashboards know: without the change listener, waiting claims hear
    // of new tasks only every few seconds, and every request looks its key up in Postgres.
    ready: ({ changes }) => ({ taskListener: changes.listening }),
    http: (deps, { ready }) => createHttpApp({ routes: allRoutes, deps, ready }),
    // Long polls would hold the server's close for up to AGENT_MAX_WAIT_SECONDS: they answer now.
    onStop: ({ taskWaiters }) => taskWaiters.close(),
  });
}
