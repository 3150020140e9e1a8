import type { Logger } from '../logger.ts';

/** Gives back something a service acquired (a pool, a server, a worker). */
export type Release = () => Promise<void>;

/** The database a service runs on, and whether this process started it. */
export interface ResolvedDatabase {
  url: string;
  /** True when an embedded Postgres was started for this process (and `stop` stops it). */
  embedded: boolean;
  stop: Release;
}

/**
 * The database and queue library as the service kernel needs them. packages/db provides the one
 * every service uses (Postgres, kysely and pg-boss: `postgresBackend`). The kernel takes it as a
 * dependency rather than importing it so that packages/runtime, which the agent uses too, carries
 * no database code: the agent never touches the database.
 */
export interface ServiceBackend<Db, Boss> {
  /** `databaseUrl`, or (unset) an embedded Postgres under `dataDir` that this call starts or finds running. */
  resolveDatabase(options: { databaseUrl: string | undefined; dataDir: string | undefined; logger: Logger }): Promise<ResolvedDatabase>;
  /** A connection pool on `url`. */
  openPool(url: string, options: { max: number; applicationName: string; logger: Logger }): { db: Db; close: Release };
  /** The started queue client; `stop` lets running jobs finish for up to `timeoutMs`, then fails them (to be retried) and disconnects. */
  startQueue(url: string, options: { max: number; applicationName: string; logger: Logger }): Promise<{ boss: Boss; stop(timeoutMs: number): Promise<void> }>;
  /** Creates every declared queue, or brings its settings up to date, so any service can start first. */
  createQueues(boss: Boss): Promise<void>;
  /** The readiness every service shares: the database answers, and every migration this build knows is applied. */
  checkDatabase(db: Db): Promise<Record<string, boolean>>;
}

/** Something a service runs while it is up (a queue consumer, a periodic loop): started once, released on stop. */
export interface Startable<Context> {
  /** What it is, for logs: a queue or loop name. */
  readonly name: string;
  start(context: Context): Promise<Release>;
}
