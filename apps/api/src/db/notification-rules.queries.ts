import type { Database, NotificationRuleRow } from '@planekeeper/db';
import type { NotificationRuleCreate, NotificationRuleListQuery, NotificationRuleResponse, NotificationRuleUpdate } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

type Db = Kysely<Database> | Transaction<Database>;

export function presentNotificationRule(row: NotificationRuleRow): NotificationRuleResponse {
  return {
    id: row.id,
    name: row.name,
    channelId: row.channel_id,
    events: row.events,
    severities: row.severities,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listNotificationRules(db: Db, organizationId: string, query: NotificationRuleListQuery) {
  let q = db.selectFrom('notification_rules').selectAll().select(cursorColumn('notification_rules').as('cursor_ts')).where('organization_id', '=', organizationId);
  if (query.channelId) q = q.where('channel_id', '=', query.channelId);
  if (query.cursor) q = q.where(afterCursor('notification_rules', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentNotificationRule);
}

export async function findNotificationRule(db: Db, organizationId: string, id: string) {
  return db.selectFrom('notification_rules').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** Whether the organization has this channel (locked against deletion until the caller commits). */
export async function channelBelongsTo(db: Db, organizationId: string, channelId: string): Promise<boolean> {
  const row = await db.selectFrom('notification_channels').select('id').where('organization_id', '=', organizationId).where('id', '=', channelId).forShare().executeTakeFirst();
  return row !== undefined;
}

export async function insertNotificationRule(db: Db, organizationId: string, body: NotificationRuleCreate) {
  return db
    .insertInto('notification_rules')
    .values({ organization_id: organizationId, name: body.name, channel_id: body.channelId, events: body.events, severities: body.severities, enabled: body.enabled ?? true })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Updates a rule; undefined when it is not the organization's. */
export async function updateNotificationRule(db: Db, organizationId: string, id: string, body: NotificationRuleUpdate) {
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

export async function deleteNotificationRule(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notification_rules').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
