import { createHmac } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX, webhookEventType, type WebhookBody, type WebhookTestBody } from '@planekeeper/domain';
import type { ChannelSummary, NotificationSubject } from './notification-content.ts';

/**
 * The body of a generic webhook (DESIGN section 9). `data.alert` is the alert as of the event:
 * its severity, versions and behind-by are the event's, so a late retry still tells what happened.
 */
export function webhookBody(subject: NotificationSubject, channel: ChannelSummary): WebhookBody | WebhookTestBody {
  if (subject.kind === 'test') {
    return {
      type: 'test',
      timestamp: subject.createdAt.toISOString(),
      data: {
        message: `Test message from Planekeeper to the channel "${channel.name}". No alert is involved.`,
        channel: { id: channel.id, name: channel.name },
      },
    };
  }
  const { alert, event, alertConfig } = subject;
  return {
    type: webhookEventType(event.type),
    timestamp: event.createdAt.toISOString(),
    data: {
      alert: {
        id: alert.id,
        alertConfigId: alert.alert_config_id,
        alertConfigName: alertConfig.name,
        ruleType: alert.rule_type,
        status: alert.status,
        severity: event.severity,
        deployedVersion: event.deployedVersion,
        latestVersion: event.latestVersion,
        behindBy: event.behindBy,
        acknowledged: alert.acknowledged_at !== null,
        acknowledgedAt: alert.acknowledged_at?.toISOString() ?? null,
        acknowledgedBy: alert.acknowledged_by,
        createdAt: alert.created_at.toISOString(),
        updatedAt: alert.updated_at.toISOString(),
        resolvedAt: alert.resolved_at?.toISOString() ?? null,
      },
      alertConfig: { id: alertConfig.id, name: alertConfig.name },
    },
  };
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the delivery's id, the same on every
 * retry and replay), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`
 * (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's decoded bytes).
 */
export function standardWebhookHeaders(input: { secret: string; messageId: string; timestampSeconds: number; body: string }): Record<string, string> {
  const key = Buffer.from(input.secret.startsWith(WEBHOOK_SECRET_PREFIX) ? input.secret.slice(WEBHOOK_SECRET_PREFIX.length) : input.secret, 'base64');
  const timestamp = String(input.timestampSeconds);
  const signature = createHmac('sha256', key).update(`${input.messageId}.${timestamp}.${input.body}`).digest('base64');
  return { 'webhook-id': input.messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
