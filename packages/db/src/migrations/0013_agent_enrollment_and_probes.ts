import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- One-time enrollment tokens: an agent trades one for an agent key of its own. Only a SHA-256
    -- of the token is kept. uses never passes max_uses: an enrollment counts itself with one
    -- conditional UPDATE, so racing agents cannot both take the last use.
    CREATE TABLE agent_enrollment_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      token_hash text NOT NULL UNIQUE,
      token_prefix text NOT NULL,
      -- null: the enrolled agent declares its own capabilities.
      capabilities text[],
      max_uses integer NOT NULL CHECK (max_uses BETWEEN 1 AND 10000),
      uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX agent_enrollment_tokens_org_created ON agent_enrollment_tokens (organization_id, created_at, id);

    -- The agent an enrolled key belongs to: forgetting the agent revokes its key.
    ALTER TABLE api_keys ADD COLUMN agent_id uuid REFERENCES agents (id) ON DELETE SET NULL;
    CREATE INDEX api_keys_agent ON api_keys (agent_id) WHERE agent_id IS NOT NULL;

    -- Network probes an admin asks a chosen agent to run; the agent picks them up and reports.
    CREATE TABLE agent_probes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
      target jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'succeeded', 'failed', 'refused')),
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      completed_at timestamptz
    );
    CREATE INDEX agent_probes_pending ON agent_probes (agent_id, created_at) WHERE status = 'pending';

    -- The configuration each agent last reported, secrets redacted by the agent.
    CREATE TABLE agent_diagnostics (
      agent_id uuid PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      effective_config jsonb NOT NULL,
      reported_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE agent_diagnostics; DROP TABLE agent_probes;
    ALTER TABLE api_keys DROP COLUMN agent_id; DROP TABLE agent_enrollment_tokens;
  `.execute(db);
}
