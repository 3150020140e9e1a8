import type { OrganizationId } from '@planekeeper/domain';
import type { Database } from '@planekeeper/db';
import { sql, type Kysely } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

export async function insertOrganization(db: Kysely<Database>, name: string) {
  return db.insertInto('organizations').values({ name }).returningAll().executeTakeFirstOrThrow();
}

function organizationPage(db: Kysely<Database>, page: PageRequest) {
  let q = db.selectFrom('organizations').selectAll().select(createdAtKey('organizations').as('sort_key'));
  if (page.after) q = q.where(afterCreatedAt('organizations', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1);
}

/** The organization itself, as a page (what any key but the bootstrap key lists). */
export async function listOwnOrganization(db: Kysely<Database>, organizationId: OrganizationId, page: PageRequest) {
  return organizationPage(db, page).where('id', '=', organizationId).execute();
}

/** A page of every organization of the installation (the bootstrap key's view), newest first. */
export async function listOrganizationsAcrossOrganizations(db: Kysely<Database>, page: PageRequest) {
  return organizationPage(db, page).execute();
}

export async function findOrganization(db: Kysely<Database>, organizationId: OrganizationId) {
  return db.selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst();
}

/**
 * Any organization of the installation by an id a request names (the bootstrap key's view): the
 * id is what is looked for here, not a tenant to filter by, so it is compared as given.
 */
export async function findOrganizationAcrossOrganizations(db: Kysely<Database>, id: string) {
  return db.selectFrom('organizations').selectAll().where(sql<boolean>`id = ${id}`).executeTakeFirst();
}

/** Renames the organization; an absent name keeps it (the row is still answered). */
export async function renameOrganization(db: Kysely<Database>, organizationId: OrganizationId, name: string | undefined) {
  return db
    .updateTable('organizations')
    // SET name = name when no name is given, as `SET` cannot be empty.
    .set(name === undefined ? { name: sql<string>`name` } : { name })
    .where('id', '=', organizationId)
    .returningAll()
    .executeTakeFirst();
}
