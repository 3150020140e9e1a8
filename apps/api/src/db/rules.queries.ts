import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { OrganizationId, RuleCreate, RuleListQuery, RuleUpdate } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

export async function listRules(db: Kysely<Database>, organizationId: OrganizationId, filters: RuleListQuery, page: PageRequest) {
  let q = db.selectFrom('rules').selectAll().select(createdAtKey('rules').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.type) q = q.where('type', '=', filters.type);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('rules', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findRule(db: Kysely<Database>, organizationId: OrganizationId, id: string, options: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('rules').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function createRule(db: Kysely<Database>, organizationId: OrganizationId, body: RuleCreate) {
  return db
    .insertInto('rules')
    .values({ organization_id: organizationId, name: body.name, type: body.type, moderate: body.moderate, high: body.high, critical: body.critical, stable_only: body.stableOnly ?? true })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateRule(db: Kysely<Database>, organizationId: OrganizationId, id: string, body: RuleUpdate) {
  return db
    .updateTable('rules')
    .set({
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.type !== undefined ? { type: body.type } : {}),
      ...(body.moderate !== undefined ? { moderate: body.moderate } : {}),
      ...(body.high !== undefined ? { high: body.high } : {}),
      ...(body.critical !== undefined ? { critical: body.critical } : {}),
      ...(body.stableOnly !== undefined ? { stable_only: body.stableOnly } : {}),
      updated_at: new Date(),
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a rule; false when it is not the organization's. A rule in use is refused by the database (409). */
export async function deleteRule(db: Kysely<Database>, organizationId: OrganizationId, id: string): Promise<boolean> {
  const result = await db.deleteFrom('rules').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
