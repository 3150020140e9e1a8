import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { createDatabase, MIGRATION_NAMES, migrateToLatest, migrationsApplied } from '../src/index.ts';
import { TEST_ENV, withDatabase } from '../src/testing/index.ts';
import { ident, onAdmin, randomId } from '../src/testing/template.ts';

// These tests start from an empty database, not from the migrated template.
const adminUrl = process.env[TEST_ENV.adminUrl]!;
const name = `pk_test_${process.env[TEST_ENV.runId]}_empty_${randomId()}`;
const handle = createDatabase(withDatabase(adminUrl, name), { max: 4 });

async function schemaFingerprint(): Promise<string> {
  const { rows } = await sql<{ f: string }>`
    SELECT string_agg(x, E'\n' ORDER BY x) AS f FROM (
      SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS x
        FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
    ) parts`.execute(handle.db);
  return rows[0]!.f;
}

beforeAll(async () => {
  await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${ident(name)}`));
});
afterAll(async () => {
  await handle.close();
  await onAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
});

describe('migrations', () => {
  it('apply every migration to an empty database, then nothing on a second run', async () => {
    expect(await migrationsApplied(handle.db)).toBe(false);
    expect(await migrateToLatest(handle.db)).toEqual(MIGRATION_NAMES);
    expect(await migrationsApplied(handle.db)).toBe(true);
    const before = await schemaFingerprint();
    expect(await migrateToLatest(handle.db)).toEqual([]);
    expect(await schemaFingerprint()).toBe(before);
  });

  it('serialise concurrent runs so several replicas can start at once', async () => {
    const second = `${name}_b`;
    await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${ident(second)}`));
    const replicas = Array.from({ length: 4 }, () => createDatabase(withDatabase(adminUrl, second), { max: 1 }));
    try {
      const applied = await Promise.all(replicas.map((r) => migrateToLatest(r.db)));
      expect(applied.flat().sort()).toEqual([...MIGRATION_NAMES].sort());
      expect(await migrationsApplied(replicas[0]!.db)).toBe(true);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await onAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(second)} WITH (FORCE)`));
    }
  });

  it('create the tables of every aggregate with a tenant column', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(handle.db);
    const tables = rows.map((r) => r.table_name);
    expect(tables).toEqual([
      'agent_diagnostics', 'agent_enrollment_tokens', 'agent_probes', 'agents', 'alert_configs', 'alert_events', 'alerts', 'api_keys', 'deliveries', 'delivery_attempts',
      'evaluations', 'gather_jobs', 'helm_sync_jobs', 'notification_channels', 'notification_rules',
      'organizations', 'releases', 'rules', 'scrape_jobs', 'tasks', 'ui_sessions', 'version_grammar', 'version_snapshots',
    ]);
    const { rows: untenanted } = await sql<{ table_name: string }>`
      SELECT t.table_name FROM information_schema.tables t
       WHERE t.table_schema = 'public' AND t.table_name NOT LIKE 'kysely_%' AND t.table_name <> 'organizations'
         -- Installation-wide: which revision of the version grammar the stored evaluations follow.
         AND t.table_name <> 'version_grammar'
         AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                          WHERE c.table_name = t.table_name AND c.column_name = 'organization_id')`.execute(handle.db);
    expect(untenanted).toEqual([]);
  });
});
