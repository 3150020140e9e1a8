import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE agents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      -- Agents are identified by organization and name: one agent key may serve a site's fleet.
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      hostname text NOT NULL DEFAULT '',
      version text NOT NULL DEFAULT '',
      capabilities text[] NOT NULL DEFAULT '{}',
      credentials text[] NOT NULL DEFAULT '{}',
      max_concurrent_tasks integer NOT NULL DEFAULT 1 CHECK (max_concurrent_tasks >= 1),
      last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
      draining boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, name)
    );
    CREATE INDEX agents_heartbeat ON agents (last_heartbeat_at);

    CREATE TABLE helm_sync_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      repo_url text NOT NULL,
      chart_filter text,
      schedule text NOT NULL,
      -- Schedule given to the gather jobs this sync creates.
      gather_schedule text NOT NULL,
      credential_name text,
      enabled boolean NOT NULL DEFAULT true,
      next_run_at timestamptz,
      last_run_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX helm_sync_jobs_org_created ON helm_sync_jobs (organization_id, created_at, id);
    CREATE INDEX helm_sync_jobs_due ON helm_sync_jobs (next_run_at) WHERE enabled;

    CREATE TABLE gather_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      source_type text NOT NULL CHECK (source_type IN ('github_release', 'helm_repo', 'oci_registry')),
      source jsonb NOT NULL,
      tag_filter text,
      schedule text NOT NULL,
      credential_name text,
      enabled boolean NOT NULL DEFAULT true,
      next_run_at timestamptz,
      last_run_at timestamptz,
      -- Last ETag the source answered, handed back to the agent for a conditional request.
      etag text,
      -- Set on gather jobs a helm sync created; one such job per chart per sync.
      helm_sync_job_id uuid REFERENCES helm_sync_jobs (id) ON DELETE SET NULL,
      helm_chart text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((helm_sync_job_id IS NULL) = (helm_chart IS NULL))
    );
    CREATE INDEX gather_jobs_org_created ON gather_jobs (organization_id, created_at, id);
    CREATE INDEX gather_jobs_due ON gather_jobs (next_run_at) WHERE enabled;
    CREATE UNIQUE INDEX gather_jobs_one_per_synced_chart ON gather_jobs (helm_sync_job_id, helm_chart)
      WHERE helm_sync_job_id IS NOT NULL;

    CREATE TABLE scrape_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      repo_url text,
      ref text,
      file_path text,
      parser text NOT NULL CHECK (parser IN ('yq', 'jq', 'regex', 'manual')),
      expression text,
      credential_name text,
      schedule text,
      history_limit integer NOT NULL DEFAULT 100 CHECK (history_limit BETWEEN 1 AND 10000),
      enabled boolean NOT NULL DEFAULT true,
      next_run_at timestamptz,
      last_run_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- A scraped job needs somewhere to read from; a manual one is fed through the API.
      CHECK (parser = 'manual' OR (repo_url IS NOT NULL AND file_path IS NOT NULL
        AND expression IS NOT NULL AND schedule IS NOT NULL))
    );
    CREATE INDEX scrape_jobs_org_created ON scrape_jobs (organization_id, created_at, id);
    CREATE INDEX scrape_jobs_due ON scrape_jobs (next_run_at) WHERE enabled AND parser <> 'manual';

    CREATE TABLE tasks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('gather', 'scrape', 'helm_sync')),
      -- One foreign key per job table keeps referential integrity; job_id is their union.
      gather_job_id uuid REFERENCES gather_jobs (id) ON DELETE CASCADE,
      scrape_job_id uuid REFERENCES scrape_jobs (id) ON DELETE CASCADE,
      helm_sync_job_id uuid REFERENCES helm_sync_jobs (id) ON DELETE CASCADE,
      job_id uuid NOT NULL GENERATED ALWAYS AS (coalesce(gather_job_id, scrape_job_id, helm_sync_job_id)) STORED,
      -- What the agent needs to run it, copied from the job when the task is made.
      spec jsonb NOT NULL,
      credential_name text,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'succeeded', 'failed')),
      scheduled_at timestamptz NOT NULL DEFAULT now(),
      claimed_by uuid REFERENCES agents (id) ON DELETE SET NULL,
      claimed_at timestamptz,
      lease_token uuid,
      lease_expires_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      error text,
      result jsonb,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'gather') = (gather_job_id IS NOT NULL)
         AND (kind = 'scrape') = (scrape_job_id IS NOT NULL)
         AND (kind = 'helm_sync') = (helm_sync_job_id IS NOT NULL)),
      CHECK ((status = 'claimed') = (lease_token IS NOT NULL))
    );
    -- Never two pending (or a pending beside a running) task for one job.
    CREATE UNIQUE INDEX tasks_one_open_per_job ON tasks (job_id) WHERE status IN ('pending', 'claimed');
    -- The claim query: oldest pending first within an organization.
    CREATE INDEX tasks_claimable ON tasks (organization_id, scheduled_at, id) WHERE status = 'pending';
    CREATE INDEX tasks_claimed ON tasks (claimed_at) WHERE status = 'claimed';
    CREATE INDEX tasks_by_job ON tasks (job_id, created_at DESC);
    CREATE INDEX tasks_org_created ON tasks (organization_id, created_at DESC, id);

    -- Wakes long-polling agents the moment a task becomes claimable, in the transaction that makes
    -- it so (nothing is announced that then rolls back). The payload is the organization, and
    -- Postgres folds identical notifications of one transaction into one.
    CREATE FUNCTION planekeeper_notify_task_ready() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('planekeeper_task_ready', NEW.organization_id::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER tasks_notify_ready AFTER INSERT OR UPDATE OF status ON tasks
      FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION planekeeper_notify_task_ready();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE tasks; DROP FUNCTION planekeeper_notify_task_ready(); DROP TABLE scrape_jobs; DROP TABLE gather_jobs; DROP TABLE helm_sync_jobs; DROP TABLE agents;`.execute(db);
}
