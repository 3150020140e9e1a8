import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ALL_QUEUES } from '@planekeeper/domain';
import { createBoss, createDatabase, ensureQueues, migrateToLatest, startEmbeddedPostgres, type DatabaseHandle } from '@planekeeper/db';
import pg from 'pg';

export interface BenchDatabase {
  url: string;
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

const quiet = { warn: () => undefined, error: (o: object) => console.error('pg-boss:', o) };

/** Where the benchmarks run: the admin URL, and the data folder of an embedded server (null for DATABASE_URL). */
export interface BenchCluster {
  adminUrl: string;
  dataDir: string | null;
  stop(): Promise<void>;
}

/** The Postgres to run on: DATABASE_URL, or an embedded one in a temporary folder. */
export async function benchCluster(): Promise<BenchCluster> {
  // PK_BENCH_PGDATA: the data folder of that server, when it runs here, to measure its CPU.
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL, dataDir: process.env.PK_BENCH_PGDATA ?? null, stop: async () => undefined };
  const dataDir = path.join(os.tmpdir(), `planekeeper-bench-${randomBytes(4).toString('hex')}`);
  const cluster = await startEmbeddedPostgres({ dataDir, persistent: false });
  return { adminUrl: cluster.url, dataDir, stop: cluster.stop };
}

/** A fresh, migrated database with pg-boss installed and every queue created. */
export async function freshDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `pk_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = createDatabase(url.toString(), { max: 30, applicationName: 'planekeeper-bench' });
  await migrateToLatest(handle.db);
  const boss = createBoss(url.toString(), { logger: quiet, applicationName: 'planekeeper-bench-setup', supervise: false });
  await boss.start();
  await ensureQueues(boss, ALL_QUEUES);
  await boss.stop({ graceful: false, close: true });
  return {
    url: url.toString(),
    handle,
    drop: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
