import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      type text NOT NULL CHECK (type IN ('days_behind', 'majors_behind', 'minors_behind')),
      moderate integer NOT NULL,
      high integer NOT NULL,
      critical integer NOT NULL,
      stable_only boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (1 <= moderate AND moderate <= high AND high <= critical)
    );
    CREATE INDEX rules_org_created ON rules (organization_id, created_at, id);

    CREATE TABLE alert_configs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      gather_job_id uuid NOT NULL REFERENCES gather_jobs (id) ON DELETE NO ACTION,
      scrape_job_id uuid NOT NULL REFERENCES scrape_jobs (id) ON DELETE NO ACTION,
      rule_id uuid NOT NULL REFERENCES rules (id) ON DELETE NO ACTION,
      enabled boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX alert_configs_org_created ON alert_configs (organization_id, created_at, id);
    -- A finished gather or scrape re-evaluates every config that references it.
    CREATE INDEX alert_configs_gather_job ON alert_configs (gather_job_id);
    CREATE INDEX alert_configs_scrape_job ON alert_configs (scrape_job_id);
    CREATE INDEX alert_configs_rule ON alert_configs (rule_id);

    -- The last result per config, including the ones that could not be decided.
    CREATE TABLE evaluations (
      alert_config_id uuid PRIMARY KEY REFERENCES alert_configs (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('ok', 'unknown')),
      reason text,
      deployed_version text,
      latest_version text,
      behind_by integer,
      severity text CHECK (severity IN ('moderate', 'high', 'critical')),
      details jsonb NOT NULL DEFAULT '{}',
      evaluated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX evaluations_org ON evaluations (organization_id, alert_config_id);

    CREATE TABLE alerts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      -- Kept when the config is deleted: resolved alerts stay in history.
      alert_config_id uuid REFERENCES alert_configs (id) ON DELETE SET NULL,
      alert_config_name text NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'resolved')),
      severity text NOT NULL CHECK (severity IN ('moderate', 'high', 'critical')),
      rule_type text NOT NULL CHECK (rule_type IN ('days_behind', 'majors_behind', 'minors_behind')),
      deployed_version text NOT NULL,
      latest_version text NOT NULL,
      behind_by integer NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
    );
    -- The heart of the lifecycle: at most one open alert per config.
    CREATE UNIQUE INDEX alerts_one_open_per_config ON alerts (alert_config_id) WHERE status = 'open';
    CREATE INDEX alerts_org_created ON alerts (organization_id, created_at DESC, id DESC);
    CREATE INDEX alerts_org_status ON alerts (organization_id, status, created_at DESC, id DESC);
    CREATE INDEX alerts_config ON alerts (alert_config_id, created_at DESC);

    CREATE TABLE alert_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
      type text NOT NULL CHECK (type IN ('created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved')),
      -- The alert's severity when the event happened, so severity-filtered rules match it.
      severity text NOT NULL CHECK (severity IN ('moderate', 'high', 'critical')),
      deployed_version text NOT NULL,
      latest_version text NOT NULL,
      behind_by integer NOT NULL,
      actor text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX alert_events_alert ON alert_events (alert_id, created_at, id);
    CREATE INDEX alert_events_org ON alert_events (organization_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE alert_events; DROP TABLE alerts; DROP TABLE evaluations; DROP TABLE alert_configs; DROP TABLE rules;`.execute(db);
}
