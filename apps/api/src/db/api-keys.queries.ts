import { containsPattern } from './name-search.ts';
import type { ApiKeyRole, Database } from '@planekeeper/db';
import type { ApiKeyListQuery, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/**
 * The key with this hash, whatever its organization: the one lookup that comes before any
 * organization is known (it is how a request learns its organization).
 */
export async function findApiKeyByHashAcrossOrganizations(db: Kysely<Database>, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'organization_id', 'name', 'role', 'bootstrap', 'revoked_at', 'last_used_at'])
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
}

/** Records that a key was used at `at`. */
export async function recordApiKeyUse(db: Kysely<Database>, organizationId: OrganizationId, keyId: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('organization_id', '=', organizationId).where('id', '=', keyId).execute();
}

/** Stores a new key: only its hash and display prefix, never the key. */
export async function insertApiKey(db: Kysely<Database>, organizationId: OrganizationId, values: { name: string; role: ApiKeyRole; keyHash: string; keyPrefix: string; agentId?: string }) {
  return db
    .insertInto('api_keys')
    .values({ organization_id: organizationId, name: values.name, role: values.role, key_hash: values.keyHash, key_prefix: values.keyPrefix, agent_id: values.agentId ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A page of the organization's keys, newest first. */
export async function listApiKeys(db: Kysely<Database>, organizationId: OrganizationId, filters: Pick<ApiKeyListQuery, 'role' | 'q'>, page: PageRequest) {
  let q = db.selectFrom('api_keys').selectAll().select(createdAtKey('api_keys').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.role) q = q.where('role', '=', filters.role);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('api_keys', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findApiKey(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db.selectFrom('api_keys').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function renameApiKey(db: Kysely<Database>, organizationId: OrganizationId, id: string, name: string | undefined) {
  return db
    .updateTable('api_keys')
    .set(name === undefined ? { name: sql<string>`name` } : { name })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Revokes a key at once (every later request with it gets 401); the row stays for the record. */
export async function revokeApiKey(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
