import { existsSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';
import type { Database } from './schema.ts';

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  /** Pool size. */
  max?: number;
  applicationName?: string;
  /** Errors of idle connections (a restarted Postgres); the pool replaces them on next use. */
  onPoolError?: (error: Error) => void;
}

/** Opens a pooled kysely connection to `url`. */
export function createDatabase(url: string, options: CreateDatabaseOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'planekeeper',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle client's error (Postgres restarted) would crash the process.
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}

/** The `.data/` folder at the root of the workspace (or of the current folder outside one). */
export function defaultDataDir(from = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return path.join(dir, '.data');
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, '.data');
    dir = parent;
  }
}

export interface ResolvedDatabase {
  url: string;
  /** Whether an embedded Postgres was started for this process. */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The database to use: `databaseUrl` when given, otherwise an embedded Postgres kept under
 * `<dataDir>/postgres` (started, or reused when another process already runs it).
 */
export async function resolveDatabaseUrl(options: {
  databaseUrl?: string | undefined;
  dataDir?: string;
  onLog?: (line: string) => void;
}): Promise<ResolvedDatabase> {
  if (options.databaseUrl) return { url: options.databaseUrl, embedded: false, stop: async () => undefined };
  const dataDir = options.dataDir ?? defaultDataDir();
  const handle = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'postgres'),
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  return { url: handle.url, embedded: handle.owned, stop: handle.stop };
}
