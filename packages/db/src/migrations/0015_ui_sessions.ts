import { sql, type Kysely } from 'kysely';

// Sessions of the web UI: a person pastes an API key once, the api answers a cookie holding a
// random token. Only the token's SHA-256 is kept, like keys. A session acts as the key it was
// opened with (its organization, role, bootstrap flag) and ends with it: revoking or deleting the
// key ends every session it opened (the join in the lookup checks revoked_at; ON DELETE CASCADE).
// last_seen_at drives the idle expiry, expires_at is the absolute one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ui_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      api_key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX ui_sessions_key ON ui_sessions (api_key_id);
    CREATE INDEX ui_sessions_expires ON ui_sessions (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE ui_sessions`.execute(db);
}
