import { createServer } from 'node:http';
import { API_KEY_CHANGED_CHANNEL, createBoss, createDatabase, ensureQueues, migrateToLatest, migrationsApplied, resolveDatabaseUrl } from '@planekeeper/db';
import { ALL_QUEUES } from '@planekeeper/domain';
import { closeServer, createMetricsRegistry, listen, type Logger, type Service } from '@planekeeper/runtime';
import { sql } from 'kysely';
import { TaskWaiters } from './agent/task-waiters.ts';
import type { ApiConfig } from './config.ts';
import type { ApiDeps } from './deps.ts';
import { ApiKeyCache } from './http/api-key-cache.ts';
import { createHttpApp } from './http/server.ts';
import { allRoutes } from './http/routes/index.ts';
import { bootstrapInstallation } from '@planekeeper/db';
import { registerInstallationGauges } from './metrics.ts';

export interface ApiService extends Service {
  /** The port actually bound (PORT=0 picks a free one). */
  readonly port: number;
}

/**
 * Wires the api: database (embedded when DATABASE_URL is unset), migrations under an advisory
 * lock, the bootstrap organization, pg-boss for sending, the task listener, the HTTP server.
 * Resources are released in reverse order of acquisition.
 */
export function createApp(config: ApiConfig, logger: Logger, options: { clock?: () => Date; onBootstrapKey?: (key: string) => void } = {}): ApiService {
  const releases: Array<() => Promise<void>> = [];
  let port = config.PORT;

  async function start(): Promise<void> {
    const target = await resolveDatabaseUrl({ databaseUrl: config.DATABASE_URL });
    releases.push(target.stop);
    const database = createDatabase(target.url, {
      max: 20,
      applicationName: 'planekeeper-api',
      onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
    releases.push(database.close);
    if (!config.API_SKIP_MIGRATIONS) {
      const applied = await migrateToLatest(database.db);
      if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
    }
    const bootstrap = await bootstrapInstallation(database.db, config.PLANEKEEPER_BOOTSTRAP_ADMIN_KEY);
    if (bootstrap.organizationId) logger.info({ organizationId: bootstrap.organizationId }, 'created the default organization');
    if (bootstrap.generatedKey) {
      (options.onBootstrapKey ?? ((key) => process.stdout.write(`\nPlanekeeper admin API key (shown once, keep it): ${key}\n\n`)))(bootstrap.generatedKey);
    }

    const boss = createBoss(target.url, { logger, applicationName: 'planekeeper-api', max: 5 });
    await boss.start();
    releases.push(() => boss.stop({ graceful: true, timeout: 10_000 }));
    await ensureQueues(boss, ALL_QUEUES);

    // Keys are trusted from memory only while the listener hears revocations (see ApiKeyCache).
    const apiKeys = new ApiKeyCache({ ttlMs: config.API_KEY_CACHE_SECONDS * 1000, trusted: () => taskWaiters.listening });
    const taskWaiters = new TaskWaiters(target.url, logger, { channels: { [API_KEY_CHANGED_CHANNEL]: (keyId) => apiKeys.evict(keyId) }, onGap: () => apiKeys.clear() });
    await taskWaiters.start();
    releases.push(() => taskWaiters.stop());

    const registry = createMetricsRegistry('api');
    registerInstallationGauges(registry, { db: database.db, boss, taskWaiters, offlineAfterSeconds: config.AGENT_OFFLINE_AFTER_SECONDS });
    const deps: ApiDeps = { db: database.db, boss, config, logger, registry, taskWaiters, apiKeys, clock: options.clock ?? (() => new Date()) };
    const app = createHttpApp({
      routes: allRoutes,
      deps,
      ready: async () => {
        const reachable = await sql`SELECT 1`.execute(database.db).then(() => true, () => false);
        return { database: reachable, migrations: reachable && (await migrationsApplied(database.db).catch(() => false)), taskListener: taskWaiters.listening };
      },
    });
    const server = createServer(app);
    port = await listen(server, config.PORT);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    releases.push(async () => {
      // Long polls end at once when the waiters stop; close the door first so nothing new comes in.
      const closing = closeServer(server);
      taskWaiters.stop().catch(() => undefined);
      await closing;
    });
    logger.info({ port }, 'api listening');
  }

  async function stop(): Promise<void> {
    while (releases.length) {
      const release = releases.pop()!;
      await release().catch((error: unknown) => logger.error({ err: error }, 'error while releasing a resource'));
    }
  }

  return {
    start,
    stop,
    get port() {
      return port;
    },
  };
}
