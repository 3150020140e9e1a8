import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, type Compilable, type Transaction } from 'kysely';
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

const TIMESTAMPTZ_OID = 1184;
const parseTimestamptzSlowly = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text');

/**
 * Parses a timestamptz as Postgres writes it in the ISO date style (`2026-11-22 07:22:53.123456+00`,
 * or with a `+05:30` offset) through V8's ISO parser, about twice as fast as pg's regular
 * expression: a page of 50 alerts holds some 200 of them. Anything else (another DateStyle, BC,
 * infinity, offsets with seconds) goes to pg's own parser.
 */
export function parseTimestamptz(text: string): Date {
  const n = text.length;
  if (n >= 22 && text[4] === '-' && text[10] === ' ') {
    let iso: string | null = null;
    if (text[n - 3] === '+' || text[n - 3] === '-') iso = `${text.slice(0, 10)}T${text.slice(11)}:00`;
    else if ((text[n - 6] === '+' || text[n - 6] === '-') && text[n - 3] === ':') iso = `${text.slice(0, 10)}T${text.slice(11)}`;
    if (iso !== null) {
      const date = new Date(iso);
      if (!Number.isNaN(date.getTime())) return date;
    }
  }
  return parseTimestamptzSlowly(text) as Date;
}

/**
 * The ISO 8601 text an API answers with (`2026-11-22T07:22:53.123Z`) of a timestamptz that
 * Postgres wrote as text: cut straight from it when it is in UTC (`+00`: servers and managed
 * services mostly run in UTC), else through a Date. For long lists: making a Date and printing
 * it again costs some ten times more, and a page of alerts holds 150 timestamps.
 */
export function isoTimestamp(text: string): string {
  const n = text.length;
  if (n >= 22 && n <= 29 && text[4] === '-' && text[10] === ' ' && text[n - 3] === '+' && text[n - 2] === '0' && text[n - 1] === '0') {
    if (n === 22) return `${text.slice(0, 10)}T${text.slice(11, 19)}.000Z`;
    if (text[19] === '.') return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${text.slice(20, n - 3)}00`.slice(0, 3)}Z`;
  }
  return parseTimestamptz(text).toISOString();
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary' ? parseTimestamptz : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * A statement whose text starts with this comment is prepared once per connection and then
 * reused (a named statement): Postgres parses it once and, after a few runs, stops planning it,
 * which for a statement like the agents' claim costs more than running it. Meant for hot
 * statements of one fixed text (parameters vary, the SQL does not), written with kysely's `sql`,
 * that name the columns they return: a prepared `SELECT *` fails ("cached plan must not change
 * result type") once a migration adds a column under a running process.
 */
export const PREPARED_STATEMENT_MARK = '/* prepared */';

/**
 * Runs a kysely query as a prepared statement (see {@link PREPARED_STATEMENT_MARK}, and name the
 * columns: no `selectAll`): for hot queries built with the query builder.
 */
export async function executePrepared<O>(db: Kysely<Database> | Transaction<Database>, query: Compilable<O>): Promise<O[]> {
  const compiled = query.compile();
  const { rows } = await db.executeQuery<O>(CompiledQuery.raw(`${PREPARED_STATEMENT_MARK}\n${compiled.sql}`, [...compiled.parameters]));
  return rows;
}

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `pk_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Makes a pooled client run kysely's statements through pg's callback form, and marked ones as
 * named (prepared) statements. kysely calls `query(text, values)`, which pg answers with a promise
 * of its own; under load the objects of every such query outlived the young generation (8 MB
 * promoted at each scavenge at 1,500 requests a second, pauses of 7-14 ms, then mark-compacts),
 * while the same queries through the callback form promote nothing (pauses under 1 ms). Every
 * other call passes through untouched.
 */
function queryThroughCallbacks(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values)) return query(...args);
    const config = text.startsWith(PREPARED_STATEMENT_MARK) ? { name: statementName(text), text, values } : { text, values };
    return new Promise((resolve, reject) => {
      query(config, (error: Error | null, result: pg.QueryResult) => (error ? reject(error) : resolve(result)));
    });
  };
}

/** Opens a pooled kysely connection to `url`. */
export function createDatabase(url: string, options: CreateDatabaseOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'planekeeper',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    types,
  });
  // Without a listener an idle client's error (Postgres restarted) would crash the process.
  pool.on('error', (error) => options.onPoolError?.(error));
  pool.on('connect', (client) => {
    // The pool listens to a client only while it is idle. A checked-out client whose connection
    // ends between two statements (Postgres restarted mid-transaction) would otherwise emit an
    // error nobody listens to, which ends the process; its next statement fails instead.
    client.on('error', () => {});
    queryThroughCallbacks(client);
  });
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
