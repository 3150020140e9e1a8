#!/usr/bin/env node
// `pnpm migrate`: applies pending migrations to DATABASE_URL, or to the embedded Postgres under
// .data/ when it is unset. Also the command of the Kubernetes migrations Job.
import { createDatabase, resolveDatabaseUrl } from '../connection.ts';
import { migrateToLatest } from '../migrate.ts';

const target = await resolveDatabaseUrl({ databaseUrl: process.env.DATABASE_URL || undefined });
const handle = createDatabase(target.url, { max: 1, applicationName: 'planekeeper-migrate' });
try {
  const applied = await migrateToLatest(handle.db);
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
  if (target.embedded) console.log(`embedded Postgres: ${target.url.replace(/:[^:@/]+@/, ':***@')}`);
} catch (error) {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
  await target.stop();
}
