import type { Database, NotificationRuleRow } from '@planekeeper/db';
import { notFound, validationFailed, type NotificationRuleCreate, type NotificationRuleUpdate, type OrganizationId } from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { channelBelongsTo, findNotificationRule, insertNotificationRule, updateNotificationRule } from '../db/notification-rules.queries.ts';
import type { ApiDeps } from '../deps.ts';

/** 400 naming `channelId` when the channel is not the organization's (never revealing another's). */
async function assertChannel(db: Kysely<Database>, organizationId: OrganizationId, channelId: string): Promise<void> {
  if (!(await channelBelongsTo(db, organizationId, channelId))) {
    throw validationFailed([{ path: 'channelId', message: `no notification channel ${channelId} in this organization` }], `Invalid notification rule: channelId: no notification channel ${channelId} in this organization`);
  }
}

/** Creates a notification rule whose channel is the organization's (locked against deletion until it commits). */
export async function createNotificationRule(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, body: NotificationRuleCreate): Promise<NotificationRuleRow> {
  return deps.db.transaction().execute(async (trx) => {
    await assertChannel(trx, organizationId, body.channelId);
    return insertNotificationRule(trx, organizationId, body);
  });
}

/** Updates a notification rule; a new channel must be the organization's. */
export async function changeNotificationRule(deps: Pick<ApiDeps, 'db'>, organizationId: OrganizationId, id: string, body: NotificationRuleUpdate): Promise<NotificationRuleRow> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await findNotificationRule(trx, organizationId, id))) throw notFound('notification rule', id);
    if (body.channelId !== undefined) await assertChannel(trx, organizationId, body.channelId);
    const row = await updateNotificationRule(trx, organizationId, id, body);
    if (!row) throw notFound('notification rule', id);
    return row;
  });
}
