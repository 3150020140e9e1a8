import { sql, type Kysely } from 'kysely';

// Issue 17 point 3: the digest of the release list last ingested for a gather job, so that the
// same list reported again (a huge upstream that did not change) is recognised and not stored and
// upserted again. The taskengine sets it after its upsert, in the same transaction. It says "the
// stored releases are what upserting this list gave", so anything else that changes or deletes
// a job's releases forgets it, here, in the database: whichever path did it (a source change,
// a job or organization deleted, an operator's SQL), a stale digest can never make a new list
// look known. Inserts alone need no trigger: a release added beside the list is one an upsert of
// that list would keep as it is.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE gather_jobs ADD COLUMN releases_digest text CHECK (length(releases_digest) <= 200);

    CREATE FUNCTION planekeeper_forget_releases_digest() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        UPDATE gather_jobs SET releases_digest = NULL WHERE releases_digest IS NOT NULL;
      ELSE
        UPDATE gather_jobs SET releases_digest = NULL
         WHERE releases_digest IS NOT NULL AND id IN (SELECT DISTINCT gather_job_id FROM changed_releases);
      END IF;
      RETURN NULL;
    END $$;
    -- Statement triggers: one look per statement, however many rows (an upsert writes thousands).
    CREATE TRIGGER releases_forget_digest_on_update AFTER UPDATE ON releases
      REFERENCING NEW TABLE AS changed_releases FOR EACH STATEMENT EXECUTE FUNCTION planekeeper_forget_releases_digest();
    CREATE TRIGGER releases_forget_digest_on_delete AFTER DELETE ON releases
      REFERENCING OLD TABLE AS changed_releases FOR EACH STATEMENT EXECUTE FUNCTION planekeeper_forget_releases_digest();
    CREATE TRIGGER releases_forget_digest_on_truncate AFTER TRUNCATE ON releases
      FOR EACH STATEMENT EXECUTE FUNCTION planekeeper_forget_releases_digest();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER releases_forget_digest_on_truncate ON releases;
    DROP TRIGGER releases_forget_digest_on_delete ON releases;
    DROP TRIGGER releases_forget_digest_on_update ON releases;
    DROP FUNCTION planekeeper_forget_releases_digest();
    ALTER TABLE gather_jobs DROP COLUMN releases_digest;
  `.execute(db);
}
