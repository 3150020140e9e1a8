import type { Database } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';

/** Stores a new session of `apiKeyId`: only the token's hash. */
export async function insertUiSession(db: Kysely<Database>, organizationId: OrganizationId, values: { apiKeyId: string; tokenHash: string; now: Date; expiresAt: Date }) {
  return db
    .insertInto('ui_sessions')
    .values({ organization_id: organizationId, api_key_id: values.apiKeyId, token_hash: values.tokenHash, created_at: values.now, last_seen_at: values.now, expires_at: values.expiresAt })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

/**
 * The session with this token hash and the key it acts as, whatever its organization: like the
 * key lookup, it is how a request learns its organization. A revoked key's sessions come back
 * with `revoked_at` set, and are refused by the caller.
 */
export async function findUiSessionByHashAcrossOrganizations(db: Kysely<Database>, tokenHash: string) {
  return db
    .selectFrom('ui_sessions as s')
    .innerJoin('api_keys as k', 'k.id', 's.api_key_id')
    .select(['s.id', 's.last_seen_at', 's.expires_at', 'k.id as key_id', 'k.organization_id', 'k.name', 'k.role', 'k.bootstrap', 'k.revoked_at'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Moves the idle deadline of a session. */
export async function touchUiSession(db: Kysely<Database>, organizationId: OrganizationId, id: string, at: Date): Promise<void> {
  await db.updateTable('ui_sessions').set({ last_seen_at: at }).where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

/** Ends a session (logout, or found expired). */
export async function deleteUiSession(db: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<void> {
  await db.deleteFrom('ui_sessions').where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

/** Ends every session opened with a key (the key was revoked). */
export async function deleteUiSessionsOfKey(db: Kysely<Database>, organizationId: OrganizationId, apiKeyId: string): Promise<void> {
  await db.deleteFrom('ui_sessions').where('organization_id', '=', organizationId).where('api_key_id', '=', apiKeyId).execute();
}
