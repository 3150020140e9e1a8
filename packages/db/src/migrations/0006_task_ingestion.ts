import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Set by the taskengine in the transaction that ingests the task's result: a redelivered
    -- task.completed finds it set and changes nothing.
    ALTER TABLE tasks ADD COLUMN ingested_at timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tasks DROP COLUMN ingested_at;`.execute(db);
}
