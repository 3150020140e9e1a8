import { discordMessage } from './discord.ts';
import { describeNotification, type ChannelSummary, type NotificationSubject } from './notification-content.ts';
import { slackMessage } from './slack.ts';
import { teamsMessage } from './teams.ts';
import { standardWebhookHeaders, webhookBody } from './webhook.ts';

/** A message ready to POST: its JSON body and the headers that go with it. */
export interface FormattedMessage {
  body: string;
  headers: Record<string, string>;
}

/**
 * Shapes a notification for its channel: Slack, Discord and Teams get a readable message in their
 * own format; generic webhooks get the JSON body, signed per Standard Webhooks with the channel's
 * secret and the delivery id as `webhook-id`.
 */
export function formatMessage(input: {
  subject: NotificationSubject;
  channel: ChannelSummary & { secret: string | null };
  deliveryId: string;
  publicUrl: string;
  now: Date;
}): FormattedMessage {
  const { subject, channel } = input;
  const json = { 'content-type': 'application/json' };
  if (channel.type === 'webhook') {
    const body = JSON.stringify(webhookBody(subject, channel));
    const signed = channel.secret === null
      ? { 'webhook-id': input.deliveryId, 'webhook-timestamp': String(Math.floor(input.now.getTime() / 1000)) }
      : standardWebhookHeaders({ secret: channel.secret, messageId: input.deliveryId, timestampSeconds: Math.floor(input.now.getTime() / 1000), body });
    return { body, headers: { ...json, ...signed } };
  }
  const content = describeNotification(subject, channel, input.publicUrl);
  const message = channel.type === 'slack' ? slackMessage(content) : channel.type === 'discord' ? discordMessage(content) : teamsMessage(content);
  return { body: JSON.stringify(message), headers: json };
}
