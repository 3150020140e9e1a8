import type { Database, TaskKind } from '@planekeeper/db';
import type { OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

/** Stores a new enrollment token: only its hash and display prefix, never the token. */
export async function insertEnrollmentToken(
  db: Kysely<Database>,
  organizationId: OrganizationId,
  values: { name: string; tokenHash: string; tokenPrefix: string; capabilities: TaskKind[] | null; maxUses: number; expiresAt: Date },
) {
  return db
    .insertInto('agent_enrollment_tokens')
    .values({
      organization_id: organizationId,
      name: values.name,
      token_hash: values.tokenHash,
      token_prefix: values.tokenPrefix,
      capabilities: values.capabilities,
      max_uses: values.maxUses,
      expires_at: values.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A page of the organization's enrollment tokens, newest first. */
export async function listEnrollmentTokens(db: Kysely<Database>, organizationId: OrganizationId, page: PageRequest) {
  let q = db.selectFrom('agent_enrollment_tokens').selectAll().select(createdAtKey('agent_enrollment_tokens').as('sort_key')).where('organization_id', '=', organizationId);
  if (page.after) q = q.where(afterCreatedAt('agent_enrollment_tokens', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

/** Revokes a token at once; the row stays for the record. */
export async function revokeEnrollmentToken(db: Kysely<Database>, organizationId: OrganizationId, id: string) {
  return db
    .updateTable('agent_enrollment_tokens')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Takes one use of the token with this hash, whatever its organization (the token is how an
 * enrolling agent learns its organization), if it is neither revoked, expired nor used up. One
 * conditional UPDATE: of agents racing for the last use, the row lock lets exactly one through.
 */
export async function takeEnrollmentTokenUse(db: Kysely<Database>, tokenHash: string, now: Date) {
  return db
    .updateTable('agent_enrollment_tokens')
    .set({ uses: sql<number>`uses + 1` })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where(sql<boolean>`uses < max_uses`)
    .returningAll()
    .executeTakeFirst();
}

/** The token with this hash, whatever its organization: to say why it was refused. */
export async function findEnrollmentTokenByHashAcrossOrganizations(db: Kysely<Database>, tokenHash: string) {
  return db.selectFrom('agent_enrollment_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Registers an enrolled agent; undefined when the organization has an agent of that name already. */
export async function insertEnrolledAgent(
  db: Kysely<Database>,
  organizationId: OrganizationId,
  values: { name: string; hostname: string; version: string; capabilities: TaskKind[] },
) {
  return db
    .insertInto('agents')
    .values({ organization_id: organizationId, name: values.name, hostname: values.hostname, version: values.version, capabilities: values.capabilities })
    .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
    .returning(['id', 'name'])
    .executeTakeFirst();
}

/** Revokes the keys enrolled for an agent; answers their ids (to evict from the key cache). */
export async function revokeKeysOfAgent(db: Kysely<Database>, organizationId: OrganizationId, agentId: string): Promise<string[]> {
  const rows = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('organization_id', '=', organizationId)
    .where('agent_id', '=', agentId)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
