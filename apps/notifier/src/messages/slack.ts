import { truncate, type NotificationContent } from './notification-content.ts';

/** Slack's mrkdwn needs these three escaped; everything else is literal. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A Slack incoming-webhook message: `text` is the fallback for notifications and old clients,
 * `blocks` the rich layout (header, summary, a section of fields, a context line with the link),
 * within Slack's limits (header 150 characters, 10 fields of 2000).
 */
export function slackMessage(content: NotificationContent): { text: string; blocks: unknown[] } {
  const link = `<${content.link.url}|${escapeMrkdwn(content.link.label)}>`;
  return {
    text: truncate(escapeMrkdwn(`${content.title}: ${content.summary}`), 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(content.title, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(content.summary), 3000) } },
      {
        type: 'section',
        fields: content.facts.slice(0, 10).map((fact) => ({ type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(fact.label)}*\n${escapeMrkdwn(fact.value)}`, 2000) })),
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${link} · ${content.timestamp}` }] },
    ],
  };
}
