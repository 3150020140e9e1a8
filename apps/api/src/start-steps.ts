import { bootstrapInstallation, migrateToLatest } from '@planekeeper/db';
import type { ApiDeps } from './deps.ts';

/**
 * Applies pending migrations, unless a migrations Job owns them (API_SKIP_MIGRATIONS). kysely
 * holds a Postgres advisory lock around the run, so replicas starting together migrate once.
 */
export async function migrate(deps: ApiDeps): Promise<void> {
  if (deps.config.API_SKIP_MIGRATIONS) return;
  const applied = await migrateToLatest(deps.db);
  if (applied.length) deps.logger.info({ migrations: applied }, 'applied migrations');
}

/**
 * Creates the default organization when none exists, with PLANEKEEPER_BOOTSTRAP_ADMIN_KEY as its
 * admin key, or a generated one handed to `onGeneratedKey` (printed once, never logged).
 */
export async function bootstrap(deps: ApiDeps, onGeneratedKey: (key: string) => void): Promise<void> {
  const result = await bootstrapInstallation(deps.db, deps.config.PLANEKEEPER_BOOTSTRAP_ADMIN_KEY);
  if (result.organizationId) deps.logger.info({ organizationId: result.organizationId }, 'created the default organization');
  if (result.generatedKey) onGeneratedKey(result.generatedKey);
}
