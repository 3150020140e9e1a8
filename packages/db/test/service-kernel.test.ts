import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, defineService, every, listen, closeServer, type RunningService } from '@planekeeper/runtime';
import { sql } from 'kysely';
import { consume, postgresBackend } from '../src/index.ts';
import { evaluateQueue } from '@planekeeper/domain';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// The service kernel on the real backend: what a start that fails half-way leaves behind.

const quiet = createLogger({ service: 'kernel-test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

let test: TestDatabase;
let taken: Server;
let takenPort: number;

beforeAll(async () => {
  test = await createTestDatabase();
  // A port something else holds, so the kernel's last step (serving its port) fails.
  taken = createServer();
  takenPort = await listen(taken, 0, '0.0.0.0');
});
afterAll(async () => {
  await closeServer(taken);
  await test.destroy();
});

/** Connections open under `applicationName`, on any database of the cluster. */
async function connectionsOf(applicationName: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${applicationName}`.execute(test.db);
  return rows[0]!.n;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a service whose start fails half-way', () => {
  it('releases what it had acquired, in reverse order, and leaves no connection open', async () => {
    const name = `kernel-test-${Math.random().toString(36).slice(2, 8)}`;
    const released: string[] = [];
    let openWhileStarting = 0;
    const service: RunningService = defineService({
      name,
      backend: postgresBackend,
      logger: quiet,
      port: takenPort,
      databaseUrl: test.url,
      pool: { max: 2 },
      deps: ({ db }) => ({ db }),
      onStart: [
        async ({ db }) => {
          await sql`SELECT 1`.execute(db);
          openWhileStarting = await connectionsOf(`planekeeper-${name}`);
          return async () => void released.push('first step');
        },
        async () => async () => void released.push('second step'),
      ],
      consumers: () => [consume(evaluateQueue, async () => undefined)],
      loops: () => [every('test loop', 3600, async () => undefined)],
    });
    await expect(service.start()).rejects.toThrow(/EADDRINUSE/);
    expect(released).toEqual(['second step', 'first step']);
    // The pool and pg-boss both had connections open before the failure.
    expect(openWhileStarting).toBeGreaterThanOrEqual(2);
    await waitFor('every connection closed', async () => (await connectionsOf(`planekeeper-${name}`)) === 0);
    await service.stop();
  });

  it('stops the embedded Postgres it started', async () => {
    const dataDir = path.join(os.tmpdir(), `pk-kernel-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    let postmaster = 0;
    try {
      const service = defineService({
        name: 'kernel-test-embedded',
        backend: postgresBackend,
        logger: quiet,
        port: takenPort,
        databaseUrl: undefined,
        dataDir,
        pool: { max: 2 },
        deps: ({ db }) => ({ db }),
        onStart: [
          async () => {
            postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
          },
        ],
      });
      await expect(service.start()).rejects.toThrow(/EADDRINUSE/);
      expect(postmaster).toBeGreaterThan(0);
      expect(existsSync(pidFile)).toBe(false);
      expect(() => process.kill(postmaster, 0)).toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a running service', () => {
  it('is ready only when its database answers and its migrations are current, plus its own checks', async () => {
    let listenerUp = true;
    const service = defineService({
      name: 'kernel-test-ready',
      backend: postgresBackend,
      logger: quiet,
      port: 0,
      databaseUrl: test.url,
      pool: { max: 2 },
      deps: ({ db }) => ({ db }),
      ready: () => ({ listener: listenerUp }),
    });
    await service.start();
    try {
      const readyz = async () => {
        const response = await fetch(`http://127.0.0.1:${service.port}/readyz`);
        return { status: response.status, body: (await response.json()) as unknown };
      };
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', checks: { database: true, migrations: true, listener: true } } });
      listenerUp = false;
      expect(await readyz()).toMatchObject({ status: 503, body: { checks: { database: true, migrations: true, listener: false } } });
      // A migration this build knows of but the database has not applied (a rollout ahead of the migrations Job).
      const last = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1`.execute(test.db);
      await sql`DELETE FROM kysely_migration WHERE name = ${last.rows[0]!.name}`.execute(test.db);
      listenerUp = true;
      expect(await readyz()).toMatchObject({ status: 503, body: { checks: { database: true, migrations: false } } });
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES (${last.rows[0]!.name}, now()::text)`.execute(test.db);
    } finally {
      await service.stop();
    }
  });
});
