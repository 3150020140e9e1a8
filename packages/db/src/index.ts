export * from './schema.ts';
export { createDatabase, defaultDataDir, resolveDatabaseUrl, type CreateDatabaseOptions, type DatabaseHandle, type ResolvedDatabase } from './connection.ts';
export { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle, type EmbeddedPostgresOptions } from './embedded.ts';
export { MIGRATION_NAMES, migrateToLatest, migrationsApplied } from './migrate.ts';

/** The Postgres channel a trigger notifies, with the organization id, when a task becomes pending. */
export const TASK_READY_CHANNEL = 'planekeeper_task_ready';
export { createBoss, ensureQueues, sendJob, type QueueDeclaration } from './queue.ts';
export { generateApiKey, hashApiKey, keyPrefix, type GeneratedApiKey } from './tenancy/api-key-secrets.ts';
export { bootstrapInstallation, type BootstrapResult } from './tenancy/bootstrap.ts';
export * from './alerts/index.ts';
export * from './jobs/index.ts';
export * from './notifications/index.ts';
