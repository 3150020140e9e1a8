import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResult } from 'kysely/migration';
import * as tenancy from './migrations/0001_tenancy.ts';
import * as agentsAndJobs from './migrations/0002_agents_and_jobs.ts';
import * as releasesAndSnapshots from './migrations/0003_releases_and_snapshots.ts';
import * as rulesAndAlerts from './migrations/0004_rules_and_alerts.ts';
import * as notifications from './migrations/0005_notifications.ts';
import * as taskIngestion from './migrations/0006_task_ingestion.ts';
import * as deliveryJobs from './migrations/0007_delivery_jobs.ts';
import * as apiKeyChanges from './migrations/0008_api_key_changes.ts';
import * as releaseCycles from './migrations/0010_release_cycles.ts';
import * as versionGrammarRevision from './migrations/0011_version_grammar_revision.ts';
import * as agentEnrollmentAndProbes from './migrations/0013_agent_enrollment_and_probes.ts';
import * as agentHealth from './migrations/0014_agent_health.ts';
import * as uiSessions from './migrations/0015_ui_sessions.ts';
import * as operationsRules from './migrations/0017_operations_rules.ts';
import * as releasesDigest from './migrations/0018_releases_digest.ts';
import * as summaryIndexes from './migrations/0020_summary_indexes.ts';

// Migrations run against any database typing (the schema they create is what Database describes).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations predate the types they create
type AnyKysely = Kysely<any>;

// Imported statically, not read from a folder, so the same list works from src/ and from dist/.
const migrations: Record<string, Migration> = {
  '0001_tenancy': tenancy,
  '0002_agents_and_jobs': agentsAndJobs,
  '0003_releases_and_snapshots': releasesAndSnapshots,
  '0004_rules_and_alerts': rulesAndAlerts,
  '0005_notifications': notifications,
  '0006_task_ingestion': taskIngestion,
  '0007_delivery_jobs': deliveryJobs,
  '0008_api_key_changes': apiKeyChanges,
  '0010_release_cycles': releaseCycles,
  '0011_version_grammar_revision': versionGrammarRevision,
  '0013_agent_enrollment_and_probes': agentEnrollmentAndProbes,
  '0014_agent_health': agentHealth,
  '0015_ui_sessions': uiSessions,
  '0017_operations_rules': operationsRules,
  '0018_releases_digest': releasesDigest,
  '0020_summary_indexes': summaryIndexes,
};

/** Names of every migration this build knows, in order. */
export const MIGRATION_NAMES = Object.keys(migrations);

function migrator(db: AnyKysely): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/**
 * Applies every pending migration. Safe to call from several processes at once: kysely takes a
 * Postgres advisory lock around the run, so replicas starting together migrate exactly once.
 * Returns the names applied by this call (empty when the database was already up to date).
 */
export async function migrateToLatest(db: AnyKysely): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error instanceof Error ? error.message : error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (what `/readyz` asks). */
export async function migrationsApplied(db: AnyKysely): Promise<boolean> {
  const all = await migrator(db).getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
