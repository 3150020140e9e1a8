export * from './schema.ts';
export { createDatabase, defaultDataDir, executePrepared, isoTimestamp, PREPARED_STATEMENT_MARK, resolveDatabaseUrl, type CreateDatabaseOptions, type DatabaseHandle, type ResolvedDatabase } from './connection.ts';
export { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle, type EmbeddedPostgresOptions } from './embedded.ts';
export { MIGRATION_NAMES, migrateToLatest, migrationsApplied } from './migrate.ts';

/** The Postgres channel a trigger notifies, with the organization id, when a task becomes pending. */
export const TASK_READY_CHANNEL = 'planekeeper_task_ready';
/** The Postgres channel a trigger notifies, with the key's id, when an API key is revoked, changed or deleted. */
export const API_KEY_CHANGED_CHANNEL = 'planekeeper_api_key_changed';
export { createBoss, ensureQueues, sendJob, sendJobs, type QueueDeclaration } from './queue.ts';
export { generateApiKey, hashApiKey, keyPrefix, type GeneratedApiKey } from './tenancy/api-key-secrets.ts';
export { bootstrapInstallation, type BootstrapResult } from './tenancy/bootstrap.ts';
export * from './alerts/index.ts';
export * from './jobs/index.ts';
export * from './notifications/index.ts';
export { consume, type ConsumeOptions, type JobOutcome, type ReceivedJob } from './consume.ts';
export { postgresBackend } from './service-backend.ts';
