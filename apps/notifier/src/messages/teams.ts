import type { NotificationContent } from './notification-content.ts';

const TEXT_COLOURS: Record<NotificationContent['tone'], string> = {
  moderate: 'Warning',
  high: 'Warning',
  critical: 'Attention',
  resolved: 'Good',
  info: 'Accent',
};

/**
 * A Microsoft Teams message for a Workflows ("Post to a channel when a webhook request is
 * received") webhook: an Adaptive Card 1.4 attachment with the title, the summary, the facts
 * and a button back to Planekeeper.
 */
export function teamsMessage(content: NotificationContent): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: content.title, weight: 'Bolder', size: 'Medium', color: TEXT_COLOURS[content.tone], wrap: true },
            { type: 'TextBlock', text: content.summary, wrap: true },
            { type: 'FactSet', facts: content.facts.map((fact) => ({ title: fact.label, value: fact.value })) },
            { type: 'TextBlock', text: content.timestamp, isSubtle: true, size: 'Small', wrap: true },
          ],
          actions: [{ type: 'Action.OpenUrl', title: content.link.label, url: content.link.url }],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}
