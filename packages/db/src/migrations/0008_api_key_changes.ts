import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- api processes keep the keys they have checked in memory; this tells every one of them, in the
    -- transaction that does it, that a key was revoked, renamed, changed or deleted, however it
    -- happened (the API, or an operator's UPDATE in an incident). The payload is the key's id.
    -- last_used_at alone changes nothing a request depends on and announces nothing.
    CREATE FUNCTION planekeeper_notify_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('planekeeper_api_key_changed', OLD.id::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER api_keys_notify_changed AFTER UPDATE ON api_keys
      FOR EACH ROW WHEN (
        OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.name IS DISTINCT FROM NEW.name OR OLD.role IS DISTINCT FROM NEW.role
        OR OLD.key_hash IS DISTINCT FROM NEW.key_hash OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
        OR OLD.bootstrap IS DISTINCT FROM NEW.bootstrap
      ) EXECUTE FUNCTION planekeeper_notify_api_key_changed();
    CREATE TRIGGER api_keys_notify_deleted AFTER DELETE ON api_keys
      FOR EACH ROW EXECUTE FUNCTION planekeeper_notify_api_key_changed();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER api_keys_notify_deleted ON api_keys; DROP TRIGGER api_keys_notify_changed ON api_keys; DROP FUNCTION planekeeper_notify_api_key_changed();`.execute(db);
}
