import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { NotificationRuleCreate, NotificationRuleListQuery, NotificationRuleUpdate, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function listNotificationRules(db: Db, organizationId: OrganizationId, filters: NotificationRuleListQuery, page: PageRequest) {
  let q = db.selectFrom('notification_rules').selectAll().select(createdAtKey('notification_rules').as('sort_key')).where('organization_id', '=', organizationId);
  if (filters.channelId) q = q.where('channel_id', '=', filters.channelId);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('notification_rules', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

export async function findNotificationRule(db: Db, organizationId: OrganizationId, id: string) {
  return db.selectFrom('notification_rules').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** Whether the organization has this channel (locked against deletion until the caller commits). */
export async function channelBelongsTo(db: Db, organizationId: OrganizationId, channelId: string): Promise<boolean> {
  const row = await db.selectFrom('notification_channels').select('id').where('organization_id', '=', organizationId).where('id', '=', channelId).forShare().executeTakeFirst();
  return row !== undefined;
}

export async function insertNotificationRule(db: Db, organizationId: OrganizationId, body: NotificationRuleCreate) {
  return db
    .insertInto('notification_rules')
    .values({ organization_id: organizationId, name: body.name, channel_id: body.channelId, events: body.events, severities: body.severities, enabled: body.enabled ?? true })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Updates a rule; undefined when it is not the organization's. */
export async function updateNotificationRule(db: Db, organizationId: OrganizationId, id: string, body: NotificationRuleUpdate) {
  return db
    .updateTable('notification_rules')
    .set({
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.channelId !== undefined ? { channel_id: body.channelId } : {}),
      ...(body.events !== undefined ? { events: body.events } : {}),
      ...(body.severities !== undefined ? { severities: body.severities } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteNotificationRule(db: Db, organizationId: OrganizationId, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notification_rules').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
