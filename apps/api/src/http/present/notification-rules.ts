import type { NotificationRuleRow } from '@planekeeper/db';
import type { NotificationRuleResponse } from '@planekeeper/domain';

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
