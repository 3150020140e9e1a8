import { sql, type Kysely } from 'kysely';

// The sources of issue 18: gather jobs for GitHub tags, GitLab releases and endoflife.date cycles;
// scrape jobs that read the cluster an agent runs in (workload images, Helm release records).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE gather_jobs DROP CONSTRAINT gather_jobs_source_type_check,
      ADD CONSTRAINT gather_jobs_source_type_check
      CHECK (source_type IN ('github_release', 'helm_repo', 'oci_registry', 'github_tag', 'gitlab_release', 'endoflife'));

    -- An endoflife job's release is the latest version of a release cycle; the cycle's release,
    -- support and end-of-life dates live beside it, as the API shows them, for rules to read.
    ALTER TABLE releases ADD COLUMN cycle jsonb CHECK (cycle IS NULL OR jsonb_typeof(cycle) = 'object');
    -- The image digest of an OCI tag whose manifest the gather read: an image deployed by digest
    -- only is placed at the tag with its digest.
    ALTER TABLE releases ADD COLUMN digest text CHECK (length(digest) <= 200);

    -- What a kubernetes or helm_release job reads, as the API takes it ({ namespace, selector, ... }).
    ALTER TABLE scrape_jobs ADD COLUMN kubernetes jsonb, ADD COLUMN helm_release jsonb;
    ALTER TABLE scrape_jobs DROP CONSTRAINT scrape_jobs_parser_check,
      ADD CONSTRAINT scrape_jobs_parser_check CHECK (parser IN ('yq', 'jq', 'regex', 'manual', 'kubernetes', 'helm_release'));
    -- A git job needs somewhere to read from; a cluster job its settings, and a credential name
    -- (the cluster's) that routes it to an agent in that cluster; a manual one is fed by the API.
    ALTER TABLE scrape_jobs DROP CONSTRAINT scrape_jobs_check,
      ADD CONSTRAINT scrape_jobs_check CHECK (
        parser = 'manual'
        OR (parser IN ('yq', 'jq', 'regex') AND repo_url IS NOT NULL AND file_path IS NOT NULL
            AND expression IS NOT NULL AND schedule IS NOT NULL)
        OR (parser = 'kubernetes' AND kubernetes IS NOT NULL AND schedule IS NOT NULL AND credential_name IS NOT NULL)
        OR (parser = 'helm_release' AND helm_release IS NOT NULL AND schedule IS NOT NULL AND credential_name IS NOT NULL));

    -- A kubernetes snapshot: the digest of the image reported (the rules-engine resolves an image
    -- pinned by digest only through the gather job's tag digests) and what was read, workload by workload.
    ALTER TABLE version_snapshots ADD COLUMN image_digest text CHECK (length(image_digest) <= 200),
      ADD COLUMN details jsonb CHECK (details IS NULL OR jsonb_typeof(details) = 'object');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM gather_jobs WHERE source_type IN ('github_tag', 'gitlab_release', 'endoflife');
    DELETE FROM scrape_jobs WHERE parser IN ('kubernetes', 'helm_release');
    ALTER TABLE version_snapshots DROP COLUMN details, DROP COLUMN image_digest;
    ALTER TABLE scrape_jobs DROP CONSTRAINT scrape_jobs_check,
      ADD CONSTRAINT scrape_jobs_check CHECK (parser = 'manual' OR (repo_url IS NOT NULL AND file_path IS NOT NULL
        AND expression IS NOT NULL AND schedule IS NOT NULL));
    ALTER TABLE scrape_jobs DROP CONSTRAINT scrape_jobs_parser_check,
      ADD CONSTRAINT scrape_jobs_parser_check CHECK (parser IN ('yq', 'jq', 'regex', 'manual'));
    ALTER TABLE scrape_jobs DROP COLUMN helm_release, DROP COLUMN kubernetes;
    ALTER TABLE releases DROP COLUMN digest, DROP COLUMN cycle;
    ALTER TABLE gather_jobs DROP CONSTRAINT gather_jobs_source_type_check,
      ADD CONSTRAINT gather_jobs_source_type_check CHECK (source_type IN ('github_release', 'helm_repo', 'oci_registry'));
  `.execute(db);
}
