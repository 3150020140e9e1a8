import type { ApiKeyRow, Database } from '@planekeeper/db';
import type { ApiKeyListQuery, ApiKeyResponse, ApiKeyRole } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';
import { generateApiKey } from '@planekeeper/db';

export function presentApiKey(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    keyPrefix: row.key_prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** Creates a key; the key itself is in the answer and nowhere else (only its hash is stored). */
export async function createApiKey(db: Kysely<Database>, organizationId: string, input: { name: string; role: ApiKeyRole }) {
  const generated = generateApiKey();
  const row = await db
    .insertInto('api_keys')
    .values({ organization_id: organizationId, name: input.name, role: input.role, key_hash: generated.hash, key_prefix: generated.prefix })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...presentApiKey(row), key: generated.key };
}

export async function listApiKeys(db: Kysely<Database>, organizationId: string, query: ApiKeyListQuery) {
  let q = db.selectFrom('api_keys').selectAll().select(cursorColumn('api_keys').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.role) q = q.where('role', '=', query.role);
  if (query.cursor) q = q.where(afterCursor('api_keys', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentApiKey);
}

export async function findApiKey(db: Kysely<Database>, organizationId: string, id: string) {
  return db.selectFrom('api_keys').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function renameApiKey(db: Kysely<Database>, organizationId: string, id: string, name: string | undefined) {
  return db
    .updateTable('api_keys')
    .set(name === undefined ? { name: sql<string>`name` } : { name })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Revokes a key at once (every later request with it gets 401); the row stays for the record. */
export async function revokeApiKey(db: Kysely<Database>, organizationId: string, id: string) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
