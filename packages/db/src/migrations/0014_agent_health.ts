import { sql, type Kysely } from 'kysely';

// Agent health (issue 16): the latest sample an agent's heartbeat carried, its clock skew as the
// api measured it, and the instance ids of the processes beating under its name: `instance_id`
// beat last, `previous_instance_id` before it. A new id is a restart (the tasks the agent held go
// back to pending at once); the previous id coming back means two live processes share the name,
// recorded in `duplicate_seen_at` so nothing is released back and forth while they alternate.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE agents
      ADD COLUMN instance_id uuid,
      ADD COLUMN previous_instance_id uuid,
      ADD COLUMN duplicate_seen_at timestamptz,
      ADD COLUMN clock_skew_ms bigint,
      ADD COLUMN health jsonb,
      ADD COLUMN health_sampled_at timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE agents
      DROP COLUMN instance_id, DROP COLUMN previous_instance_id, DROP COLUMN duplicate_seen_at,
      DROP COLUMN clock_skew_ms, DROP COLUMN health, DROP COLUMN health_sampled_at;
  `.execute(db);
}
