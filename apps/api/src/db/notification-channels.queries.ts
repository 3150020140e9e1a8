import { containsPattern } from './name-search.ts';
import type { Database } from '@planekeeper/db';
import type { ChannelType, NotificationChannelListQuery, OrganizationId } from '@planekeeper/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCreatedAt, createdAtKey, type PageRequest } from './keyset.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function listChannels(db: Db, organizationId: OrganizationId, filters: NotificationChannelListQuery, page: PageRequest) {
  let q = db
    .selectFrom('notification_channels')
    .selectAll()
    .select(createdAtKey('notification_channels').as('sort_key'))
    .where('organization_id', '=', organizationId);
  if (filters.type) q = q.where('type', '=', filters.type);
  if (filters.q) q = q.where('name', 'ilike', containsPattern(filters.q));
  if (page.after) q = q.where(afterCreatedAt('notification_channels', page.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
}

/** A channel of the organization; `lock` locks it for an update, or against one (`share`), until the caller commits. */
export async function findChannel(db: Db, organizationId: OrganizationId, id: string, options: { lock?: 'update' | 'share' } = {}) {
  let q = db.selectFrom('notification_channels').selectAll().where('organization_id', '=', organizationId).where('id', '=', id);
  if (options.lock === 'update') q = q.forUpdate();
  if (options.lock === 'share') q = q.forShare();
  return q.executeTakeFirst();
}

export async function insertChannel(db: Db, organizationId: OrganizationId, values: { name: string; type: ChannelType; url: string; secret: string | null; enabled: boolean }) {
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

export async function updateChannel(db: Db, organizationId: OrganizationId, id: string, changes: ChannelChanges) {
  return db
    .updateTable('notification_channels')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a channel with its rules and deliveries; false when it is not the organization's. */
export async function deleteChannel(db: Db, organizationId: OrganizationId, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notification_channels').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
