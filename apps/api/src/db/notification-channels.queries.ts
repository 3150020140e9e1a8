import type { Database, NotificationChannelRow } from '@planekeeper/db';
import { channelUrlHost, type ChannelType, type NotificationChannelListQuery, type NotificationChannelResponse } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCursor, cursorColumn, toPage } from '../http/pagination.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A channel as the API shows it: never its URL or secret, only the URL's host. */
export function presentChannel(row: NotificationChannelRow): NotificationChannelResponse {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    urlHost: channelUrlHost(row.url),
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listChannels(db: Db, organizationId: string, query: NotificationChannelListQuery) {
  let q = db
    .selectFrom('notification_channels')
    .selectAll()
    .select(cursorColumn('notification_channels').as('cursor_ts'))
    .where('organization_id', '=', organizationId);
  if (query.type) q = q.where('type', '=', query.type);
  if (query.cursor) q = q.where(afterCursor('notification_channels', query.cursor));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, presentChannel);
}

export async function findChannel(db: Db, organizationId: string, id: string, options: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('notification_channels').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
  if (options.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertChannel(db: Db, organizationId: string, values: { name: string; type: ChannelType; url: string; secret: string | null; enabled: boolean }) {
  return db
    .insertInto('notification_channels')
    .values({ organization_id: organizationId, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The columns a channel update may set. */
export interface ChannelChanges {
  name?: string;
  type?: ChannelType;
  url?: string;
  secret?: string | null;
  enabled?: boolean;
  disabled_reason?: string | null;
}

export async function updateChannel(db: Db, organizationId: string, id: string, changes: ChannelChanges) {
  return db
    .updateTable('notification_channels')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a channel with its rules and deliveries; false when it is not the organization's. */
export async function deleteChannel(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notification_channels').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
