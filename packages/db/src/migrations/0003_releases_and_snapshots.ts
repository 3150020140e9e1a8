import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE releases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      gather_job_id uuid NOT NULL REFERENCES gather_jobs (id) ON DELETE CASCADE,
      -- The tag exactly as the source named it (v1.8.0, 16.2-alpine); it is what users see.
      tag text NOT NULL CHECK (length(tag) BETWEEN 1 AND 500),
      published_at timestamptz,
      -- Flagged as a prerelease by the source itself (GitHub's prerelease flag).
      prerelease boolean NOT NULL DEFAULT false,
      url text,
      -- Stands in for published_at when the source gives no date (most OCI tags).
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (gather_job_id, tag)
    );
    CREATE INDEX releases_org ON releases (organization_id);

    CREATE TABLE version_snapshots (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      scrape_job_id uuid NOT NULL REFERENCES scrape_jobs (id) ON DELETE CASCADE,
      version text NOT NULL CHECK (length(version) BETWEEN 1 AND 500),
      raw text,
      commit_sha text,
      source text NOT NULL CHECK (source IN ('agent', 'manual')),
      -- The task whose result made this snapshot: ingesting the same result twice adds nothing.
      task_id uuid UNIQUE REFERENCES tasks (id) ON DELETE SET NULL,
      found_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX version_snapshots_latest ON version_snapshots (scrape_job_id, found_at DESC, id DESC);
    CREATE INDEX version_snapshots_org ON version_snapshots (organization_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE version_snapshots; DROP TABLE releases;`.execute(db);
}
