import { sql, type Kysely } from 'kysely';

// Rules for operations (issue 19): releases skipped by an alert config or by a gather job for
// everyone using it; libyear, a fractional number of years, as a rule type (so behind-by values
// and thresholds become double precision); the `eol` rule, whose thresholds are days left and run
// downwards (moderate 90 >= high 30 >= critical 0), reading cycles from an endoflife gather job.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE alert_configs
      ADD COLUMN skip_versions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skip_versions) = 'array'),
      ADD COLUMN eol_gather_job_id uuid REFERENCES gather_jobs (id) ON DELETE NO ACTION;
    CREATE INDEX alert_configs_eol_gather_job ON alert_configs (eol_gather_job_id) WHERE eol_gather_job_id IS NOT NULL;
    ALTER TABLE gather_jobs
      ADD COLUMN skip_versions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skip_versions) = 'array');

    ALTER TABLE rules DROP CONSTRAINT rules_type_check, DROP CONSTRAINT rules_check,
      ALTER COLUMN moderate TYPE double precision, ALTER COLUMN high TYPE double precision,
      ALTER COLUMN critical TYPE double precision,
      ADD CONSTRAINT rules_type_check CHECK (type IN ('days_behind', 'majors_behind', 'minors_behind', 'libyear', 'eol')),
      ADD CONSTRAINT rules_check CHECK (
        (type = 'eol' AND 0 <= critical AND critical <= high AND high <= moderate)
        OR (type = 'libyear' AND 0 < moderate AND moderate <= high AND high <= critical)
        OR (type NOT IN ('eol', 'libyear') AND 1 <= moderate AND moderate <= high AND high <= critical));

    ALTER TABLE evaluations ALTER COLUMN behind_by TYPE double precision;
    ALTER TABLE alerts ALTER COLUMN behind_by TYPE double precision, DROP CONSTRAINT alerts_rule_type_check,
      ADD CONSTRAINT alerts_rule_type_check CHECK (rule_type IN ('days_behind', 'majors_behind', 'minors_behind', 'libyear', 'eol'));
    ALTER TABLE alert_events ALTER COLUMN behind_by TYPE double precision;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM alert_configs WHERE rule_id IN (SELECT id FROM rules WHERE type IN ('libyear', 'eol'));
    DELETE FROM alerts WHERE rule_type IN ('libyear', 'eol');
    DELETE FROM rules WHERE type IN ('libyear', 'eol');
    ALTER TABLE alert_events ALTER COLUMN behind_by TYPE integer USING round(behind_by);
    ALTER TABLE alerts ALTER COLUMN behind_by TYPE integer USING round(behind_by), DROP CONSTRAINT alerts_rule_type_check,
      ADD CONSTRAINT alerts_rule_type_check CHECK (rule_type IN ('days_behind', 'majors_behind', 'minors_behind'));
    ALTER TABLE evaluations ALTER COLUMN behind_by TYPE integer USING round(behind_by);
    ALTER TABLE rules DROP CONSTRAINT rules_check, DROP CONSTRAINT rules_type_check,
      ALTER COLUMN moderate TYPE integer, ALTER COLUMN high TYPE integer, ALTER COLUMN critical TYPE integer,
      ADD CONSTRAINT rules_type_check CHECK (type IN ('days_behind', 'majors_behind', 'minors_behind')),
      ADD CONSTRAINT rules_check CHECK (1 <= moderate AND moderate <= high AND high <= critical);
    ALTER TABLE gather_jobs DROP COLUMN skip_versions;
    DROP INDEX alert_configs_eol_gather_job;
    ALTER TABLE alert_configs DROP COLUMN eol_gather_job_id, DROP COLUMN skip_versions;
  `.execute(db);
}
