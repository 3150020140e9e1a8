import type { NotificationChannelRow } from '@planekeeper/db';
import { channelUrlHost, type NotificationChannelCreatedResponse, type NotificationChannelResponse } from '@planekeeper/domain';

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

/** A channel just created: the one answer that shows its signing secret (webhook channels). */
export function presentCreatedChannel(row: NotificationChannelRow): NotificationChannelCreatedResponse {
  return { ...presentChannel(row), secret: row.secret };
}
