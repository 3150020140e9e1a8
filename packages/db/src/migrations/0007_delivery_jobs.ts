import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE deliveries
      -- The notification.deliver job allowed to attempt this delivery now. Any other job naming the
      -- delivery (a redelivered original next to the retry it scheduled) is a stale duplicate.
      ADD COLUMN job_id uuid,
      -- Attempts since creation or the last replay: what NOTIFIER_RETRY_LIMIT counts. A replay
      -- resets it (a fresh retry budget) while attempts and delivery_attempts keep the history.
      ADD COLUMN budget_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN replayed_at timestamptz;
    -- The dead-letter depth metric counts these on every scrape; dead deliveries are few.
    CREATE INDEX deliveries_dead ON deliveries (organization_id) WHERE status = 'dead';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX deliveries_dead; ALTER TABLE deliveries DROP COLUMN job_id, DROP COLUMN budget_attempts, DROP COLUMN replayed_at;`.execute(db);
}
