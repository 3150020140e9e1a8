import type { Kysely } from 'kysely';
import { createDatabase } from '../connection.ts';
import type { Database } from '../schema.ts';
import { TEST_ENV, ident, onAdmin, randomId, withDatabase } from './template.ts';

export interface TestDatabase {
  /** Connection string of this file's own database (hand it to services under test). */
  url: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  destroy(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through jest with the @planekeeper/db global setup`);
  return value;
}

/**
 * A fresh, fully migrated database for one test file, cloned from the template the global setup
 * prepared, so files run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = required(TEST_ENV.adminUrl);
  const template = required(TEST_ENV.template);
  const name = `pk_test_${required(TEST_ENV.runId)}_${randomId()}`;
  await onAdmin(adminUrl, async (c) => {
    // Two clones of one template at the same instant can collide on the template's lock: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  });
  const url = withDatabase(adminUrl, name);
  const handle = createDatabase(url, { max: 5 });
  return {
    url,
    db: handle.db,
    destroy: async () => {
      await handle.close();
      await onAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
    },
  };
}
