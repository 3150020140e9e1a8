import { sql, type Kysely } from 'kysely';

// Rules for operations (issue 19): releases skipped by an alert config or by a gather job for
// everyone using it; libyear, a fractional number of years, as a rule type (so behind-by values
// and thresholds become double precision); the `eol` rule, whose thresholds are days left and run
// downwards (moderate 90 >= high 30 >= critical 0), reading cycles from an endoflife gather job;
// snoozed alerts, whose events are recorded but not notified while the snooze lasts.
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

    -- Snooze: until a time, or until the latest version changes from snooze_latest_version; who,
    -- why, and the severity when snoozed (a higher one when the snooze ends is notified then).
    ALTER TABLE alerts
      ADD COLUMN snoozed_at timestamptz,
      ADD COLUMN snoozed_until timestamptz,
      ADD COLUMN snooze_latest_version text,
      ADD COLUMN snoozed_by text,
      ADD COLUMN snooze_reason text CHECK (length(snooze_reason) <= 500),
      ADD COLUMN snoozed_severity text CHECK (snoozed_severity IN ('moderate', 'high', 'critical')),
      ADD CONSTRAINT alerts_snooze_check CHECK (snoozed_at IS NULL OR (snoozed_by IS NOT NULL AND snoozed_severity IS NOT NULL
        AND (snoozed_until IS NOT NULL OR snooze_latest_version IS NOT NULL)));
    -- The rules-engine looks for snoozes whose time has come.
    CREATE INDEX alerts_snoozed_until ON alerts (snoozed_until) WHERE status = 'open' AND snoozed_until IS NOT NULL;
    -- Events while snoozed are recorded, not notified.
    ALTER TABLE alert_events ADD COLUMN notified boolean NOT NULL DEFAULT true,
      DROP CONSTRAINT alert_events_type_check,
      ADD CONSTRAINT alert_events_type_check CHECK (type IN ('created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved', 'snoozed', 'unsnoozed'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM alert_events WHERE type IN ('snoozed', 'unsnoozed');
    ALTER TABLE alert_events DROP COLUMN notified, DROP CONSTRAINT alert_events_type_check,
      ADD CONSTRAINT alert_events_type_check CHECK (type IN ('created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved'));
    DROP INDEX alerts_snoozed_until;
    ALTER TABLE alerts DROP CONSTRAINT alerts_snooze_check, DROP COLUMN snoozed_severity, DROP COLUMN snooze_reason,
      DROP COLUMN snoozed_by, DROP COLUMN snooze_latest_version, DROP COLUMN snoozed_until, DROP COLUMN snoozed_at;
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
