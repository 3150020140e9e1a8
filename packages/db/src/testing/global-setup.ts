import os from 'node:os';
import path from 'node:path';
import { createDatabase } from '../connection.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../embedded.ts';
import { migrateToLatest } from '../migrate.ts';
import { createBoss, ensureQueues } from '../queue.ts';
import { ALL_QUEUES } from '@planekeeper/domain';
import { TEST_ENV, ident, onAdmin, randomId, withDatabase } from './template.ts';

declare global {
  var __planekeeperTestCluster: EmbeddedPostgresHandle | undefined;
}

/**
 * Jest global setup: finds the test cluster (DATABASE_URL, or an embedded Postgres started in a
 * temporary folder), migrates a template database once, and hands both to the test files through
 * the environment. Each test file then clones the template (see createTestDatabase).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(os.tmpdir(), `planekeeper-test-pg-${process.pid}-${randomId()}`),
      persistent: false,
      unsafeFast: true,
    });
    globalThis.__planekeeperTestCluster = cluster;
    adminUrl = cluster.url;
    // Child processes started by tests (real services) find the cluster here too.
    process.env.DATABASE_URL = adminUrl;
  }
  const runId = randomId();
  const template = `pk_tpl_${runId}`;
  await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${ident(template)}`));
  const handle = createDatabase(withDatabase(adminUrl, template), { max: 1 });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  // pg-boss's own schema and our queues go into the template too, so no test pays for installing them.
  const silent = { warn: () => undefined, error: (o: object) => console.error('pg-boss (template):', o) };
  const boss = createBoss(withDatabase(adminUrl, template), { logger: silent, applicationName: 'planekeeper-test-template', max: 2, supervise: false });
  await boss.start();
  await ensureQueues(boss, ALL_QUEUES);
  await boss.stop({ graceful: false, close: true });
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.template] = template;
  process.env[TEST_ENV.runId] = runId;
}
