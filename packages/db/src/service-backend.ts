import { ALL_QUEUES } from '@planekeeper/domain';
import type { ServiceBackend } from '@planekeeper/runtime';
import { sql, type Kysely } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { createDatabase, resolveDatabaseUrl } from './connection.ts';
import { migrationsApplied } from './migrate.ts';
import { createBoss, ensureQueues } from './queue.ts';
import type { Database } from './schema.ts';

/**
 * What every service runs on, for the service kernel (`defineService` in packages/runtime):
 * Postgres (an embedded one when no URL is given) through kysely, and pg-boss with every queue
 * of packages/domain.
 */
export const postgresBackend: ServiceBackend<Kysely<Database>, PgBoss> = {
  resolveDatabase: ({ databaseUrl, dataDir }) => resolveDatabaseUrl({ databaseUrl, ...(dataDir === undefined ? {} : { dataDir }) }),

  openPool(url, { max, applicationName, logger }) {
    const { db, close } = createDatabase(url, { max, applicationName, onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed') });
    return { db, close };
  },

  async startQueue(url, { max, applicationName, logger }) {
    const boss = createBoss(url, { logger, applicationName, max });
    try {
      await boss.start();
    } catch (error) {
      // Its pool may be open already.
      await boss.stop({ graceful: false }).catch(() => undefined);
      throw error;
    }
    return { boss, stop: (timeoutMs) => boss.stop({ graceful: true, timeout: timeoutMs }) };
  },

  createQueues: (boss) => ensureQueues(boss, ALL_QUEUES),

  async checkDatabase(db) {
    const reachable = await sql`SELECT 1`.execute(db).then(() => true, () => false);
    return { database: reachable, migrations: reachable && (await migrationsApplied(db).catch(() => false)) };
  },
};
