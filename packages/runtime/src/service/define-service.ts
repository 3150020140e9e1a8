import { createServer, type RequestListener, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Service } from '../lifecycle.ts';
import type { Logger } from '../logger.ts';
import { createMetricsRegistry } from '../metrics.ts';
import { closeServer, createOpsServer, listen, type ReadinessCheck } from '../ops-server.ts';
import type { Release, ServiceBackend, Startable } from './backend.ts';
import { ReleaseStack } from './release-stack.ts';
import { STOP_TIMEOUTS } from './stop-timeouts.ts';

/** What the kernel has set up by the time it asks a service for its dependencies. */
export interface ServiceContext<Db, Boss> {
  db: Db;
  boss: Boss;
  /** The database's URL (for a connection of the service's own, such as a LISTEN connection). */
  databaseUrl: string;
  logger: Logger;
  registry: Registry;
}

/** A queue consumer as the kernel starts it (see `consume` in packages/db). */
export type ServiceConsumer<Boss> = Startable<{ boss: Boss; logger: Logger }>;
/** A periodic loop as the kernel starts it (see {@link every}). */
export type ServiceLoop = Startable<{ logger: Logger }>;

/** Everything a service is: the kernel does the rest. */
export interface ServiceDeclaration<Db, Boss, Deps> {
  /** Names the service in logs, on every metric (`service` label) and in Postgres (`planekeeper-<name>`). */
  name: string;
  backend: ServiceBackend<Db, Boss>;
  logger: Logger;
  /** Port of the service's HTTP server (0 = any free port). */
  port: number;
  /**
   * For a service with an HTTP surface of its own: a second port that serves only /healthz,
   * /readyz and /metrics, so installation-wide metrics stay off the public port (0 = any free
   * port). Without `http`, `port` already is such a port.
   */
  opsPort?: number;
  /** Unset: an embedded Postgres under `dataDir` (default: the workspace's `.data/`). */
  databaseUrl: string | undefined;
  dataDir?: string;
  /** Connections the service's own work holds at once, plus room for readiness checks. */
  pool: { max: number };
  /** pg-boss's own connections (fetching, settling, maintenance). */
  boss?: { max: number };
  /** Builds what the hooks, consumers and loops are given, once the pool and pg-boss are up. */
  deps(context: ServiceContext<Db, Boss>): Deps;
  /**
   * Start steps of the service's own, run in order after `deps` and before any consumer, loop or
   * the server starts; a step returns the release of what it acquired, if anything.
   */
  onStart?: ReadonlyArray<(deps: Deps) => Promise<Release | void>>;
  consumers?(deps: Deps): ServiceConsumer<Boss>[];
  loops?(deps: Deps): ServiceLoop[];
  /** Readiness checks beyond the database's (reachable, migrations current), which every service has. */
  ready?(deps: Deps): Record<string, boolean>;
  /**
   * The service's own HTTP surface, served on `port`. It must answer the ops paths itself (with
   * `answerOpsRequest` and the `ops` given). Without it, the port serves only /healthz, /readyz
   * and /metrics.
   */
  http?(deps: Deps, ops: { ready: ReadinessCheck; registry: Registry }): RequestListener;
  /**
   * Called when stop begins, before anything is released: end what would hold the stop up (the
   * api's long polls, which would otherwise keep its server from closing).
   */
  onStop?(deps: Deps): void;
  /** More fields for the "<name> started" log line (the settings that matter). */
  describe?(deps: Deps): Record<string, unknown>;
}

/** A service the kernel runs. */
export interface RunningService extends Service {
  /** The port actually bound (0 picks a free one). */
  readonly port: number;
  /** The ops port actually bound, for a service that declared one; else `port`. */
  readonly opsPort: number;
  readonly registry: Registry;
}

/**
 * Declares a service. `start()` resolves the database (starting an embedded Postgres when no URL
 * is given), opens the pool, starts pg-boss and creates the queues, builds the service's
 * dependencies, runs its own start steps, starts its consumers and loops, and serves its port
 * (/healthz, /readyz, /metrics, and its own HTTP surface if any). Every acquisition pushes its
 * release onto one stack: `stop()` (and a start that fails half-way) releases them in reverse
 * order, so neither a pool nor an embedded Postgres is ever left behind.
 */
export function defineService<Db, Boss, Deps>(declaration: ServiceDeclaration<Db, Boss, Deps>): RunningService {
  const { name, backend, logger } = declaration;
  const registry = createMetricsRegistry(name);
  const releases = new ReleaseStack(logger);
  const applicationName = `planekeeper-${name}`;
  let port = declaration.port;
  let opsPort: number | undefined;
  // The service's dependencies, once built: what onStop is given.
  let built: { deps: Deps } | undefined;
  let starting: Promise<void> | undefined;

  async function acquire(): Promise<void> {
    const database = await backend.resolveDatabase({ databaseUrl: declaration.databaseUrl, dataDir: declaration.dataDir, logger });
    releases.push('database', database.stop);
    const pool = backend.openPool(database.url, { max: declaration.pool.max, applicationName, logger });
    releases.push('pool', pool.close);
    const queue = await backend.startQueue(database.url, { max: declaration.boss?.max ?? 4, applicationName, logger });
    releases.push('pg-boss', () => queue.stop(STOP_TIMEOUTS.jobsMs));
    await backend.createQueues(queue.boss);

    const deps = declaration.deps({ db: pool.db, boss: queue.boss, databaseUrl: database.url, logger, registry });
    built = { deps };
    for (const step of declaration.onStart ?? []) {
      const release = await step(deps);
      if (release) releases.push('start step', release);
    }
    for (const consumer of declaration.consumers?.(deps) ?? []) releases.push(consumer.name, await consumer.start({ boss: queue.boss, logger }));
    for (const loop of declaration.loops?.(deps) ?? []) releases.push(loop.name, await loop.start({ logger }));

    const ready: ReadinessCheck = async () => ({ ...(await backend.checkDatabase(pool.db)), ...declaration.ready?.(deps) });
    const server: Server = declaration.http ? createServer(declaration.http(deps, { ready, registry })) : createOpsServer({ ready, registry });
    // Longer than the idle timeout of the load balancers in front (60 s on most), so they never
    // send a request on a connection the server is closing.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    port = await listen(server, declaration.port);
    releases.push('server', () => closeServer(server));
    if (declaration.http && declaration.opsPort !== undefined) {
      const ops = createOpsServer({ ready, registry });
      opsPort = await listen(ops, declaration.opsPort);
      releases.push('ops server', () => closeServer(ops));
    }
    logger.info({ port, ...(opsPort === undefined ? {} : { opsPort }), embeddedDatabase: database.embedded, ...declaration.describe?.(deps) }, `${name} started`);
  }

  return {
    start() {
      starting ??= acquire().catch(async (error: unknown) => {
        await releases.releaseAll();
        throw error;
      });
      return starting;
    },
    async stop() {
      // A stop during start waits for it, so nothing it acquires afterwards is left behind.
      await starting?.catch(() => undefined);
      const running = built;
      built = undefined;
      if (running) declaration.onStop?.(running.deps);
      await releases.releaseAll();
    },
    get port() {
      return port;
    },
    get opsPort() {
      return opsPort ?? port;
    },
    registry,
  };
}
