import { randomBytes } from 'node:crypto';
import type { Database, NotificationChannelRow } from '@planekeeper/db';
import {
  formatWebhookSecret,
  notFound,
  validationFailed,
  type NotificationChannelCreate,
  type NotificationChannelUpdate,
  type OrganizationId,
} from '@planekeeper/domain';
import type { Kysely } from 'kysely';
import { findChannel, insertChannel, updateChannel, type ChannelChanges } from '../db/notification-channels.queries.ts';

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return formatWebhookSecret(randomBytes(32));
}

/**
 * Creates a channel. A `webhook` channel without a secret gets a generated one; the answer to the
 * creation is the only place the secret (given or generated) is ever shown.
 */
export async function createNotificationChannel(db: Kysely<Database>, organizationId: OrganizationId, body: NotificationChannelCreate): Promise<NotificationChannelRow> {
  const secret = body.type === 'webhook' ? (body.secret ?? generateWebhookSecret()) : null;
  return insertChannel(db, organizationId, { name: body.name, type: body.type, url: body.url, secret, enabled: body.enabled ?? true });
}

/**
 * Updates a channel: replaces its URL or secret, renames, changes its type, or enables and
 * disables it. Enabling clears the reason it was disabled (e.g. a 410 Gone). A secret is only for
 * webhook channels; becoming a webhook channel needs one (given, since it cannot be shown later).
 */
export async function changeNotificationChannel(db: Kysely<Database>, organizationId: OrganizationId, id: string, body: NotificationChannelUpdate): Promise<NotificationChannelRow> {
  return db.transaction().execute(async (trx) => {
    const current = await findChannel(trx, organizationId, id, { lock: 'update' });
    if (!current) throw notFound('notification channel', id);
    const type = body.type ?? current.type;
    if (body.secret !== undefined && type !== 'webhook') {
      throw validationFailed([{ path: 'secret', message: 'secret applies only to channels of type webhook' }], 'Invalid notification channel: secret applies only to channels of type webhook');
    }
    if (type === 'webhook' && current.type !== 'webhook' && body.secret === undefined) {
      throw validationFailed([{ path: 'secret', message: 'required when a channel becomes a webhook channel (whsec_ + base64 of 24..64 random bytes)' }], 'Invalid notification channel: secret is required to become a webhook channel');
    }
    const changes: ChannelChanges = {};
    if (body.name !== undefined) changes.name = body.name;
    if (body.type !== undefined) changes.type = body.type;
    if (body.url !== undefined) changes.url = body.url;
    if (body.secret !== undefined) changes.secret = body.secret;
    if (type !== 'webhook') changes.secret = null;
    if (body.enabled !== undefined) {
      changes.enabled = body.enabled;
      changes.disabled_reason = null;
    }
    return updateChannel(trx, organizationId, id, changes);
  });
}
