import type { Database, RuleRow } from '@planekeeper/db';
import type { RuleCreate, RuleListQuery, RuleResponse, RuleUpdate } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

export function presentRule(row: RuleRow): RuleResponse {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    moderate: row.moderate,
    high: row.high,
    critical: row.critical,
    stableOnly: row.stable_only,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listRules(db: Kysely<Database>, organizationId: string, query: RuleListQuery) {
  let q = db.selectFrom('rules').selectAll().select(cursorColumn('rules').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.type) q = q.where('type', '=', query.type);
  if (query.cursor) q = q.where(afterCursor('rules', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentRule);
}

export async function findRule(db: Kysely<Database>, organizationId: string, id: string, options: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('rules').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function createRule(db: Kysely<Database>, organizationId: string, body: RuleCreate) {
  return db
    .insertInto('rules')
    .values({ organization_id: organizationId, name: body.name, type: body.type, moderate: body.moderate, high: body.high, critical: body.critical, stable_only: body.stableOnly ?? true })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateRule(db: Kysely<Database>, organizationId: string, id: string, body: RuleUpdate) {
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
export async function deleteRule(db: Kysely<Database>, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('rules').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
