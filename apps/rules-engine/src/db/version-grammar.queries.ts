import type { Database } from '@planekeeper/db';
import { sql, type Transaction } from 'kysely';

/**
 * The revision of the version grammar the stored evaluations follow (migration 0011), its row
 * locked until `trx` ends: a replica that starts meanwhile waits here, then reads what this one
 * recorded.
 */
export async function lockGrammarRevision(trx: Transaction<Database>): Promise<number> {
  try {
    const row = await trx.selectFrom('version_grammar').select('revision').forUpdate().executeTakeFirst();
    if (!row) throw new Error('the table version_grammar has lost its row: re-create it with the revision the stored evaluations follow (1 if unsure)');
    return row.revision;
  } catch (error) {
    if ((error as { code?: unknown }).code === '42P01') {
      throw new Error('the database lacks migration 0011_version_grammar_revision: apply the migrations (pnpm migrate, or start the api) before the rules-engine', { cause: error });
    }
    throw error;
  }
}

/** Records that stored evaluations follow `revision` from now on. */
export async function recordGrammarRevision(trx: Transaction<Database>, revision: number): Promise<void> {
  await trx.updateTable('version_grammar').set({ revision, revised_at: sql<Date>`now()` }).execute();
}

/**
 * Every gather job that alert configs reference, with its organization, across the installation:
 * evaluating them evaluates every config. In organization order.
 */
export async function gatherJobsWithConfigs(trx: Transaction<Database>): Promise<Array<{ organizationId: string; gatherJobId: string }>> {
  const rows = await trx
    .selectFrom('alert_configs')
    .select(['organization_id', 'gather_job_id'])
    .distinct()
    .orderBy('organization_id')
    .orderBy('gather_job_id')
    .execute();
  return rows.map((row) => ({ organizationId: row.organization_id, gatherJobId: row.gather_job_id }));
}
