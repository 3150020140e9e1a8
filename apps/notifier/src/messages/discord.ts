import { truncate, type NotificationContent } from './notification-content.ts';

/** Embed colours (0xRRGGBB as an integer, as Discord takes them). */
export const DISCORD_COLOURS: Record<NotificationContent['tone'], number> = {
  moderate: 0xf2c744,
  high: 0xf28c28,
  critical: 0xd62828,
  resolved: 0x2eb67d,
  info: 0x5865f2,
};

/**
 * A Discord webhook message: one embed with the severity's colour, the facts as inline fields, a
 * link and a timestamp, within Discord's limits. Mentions are disabled: a config name such as
 * "@everyone" must not ping a server.
 */
export function discordMessage(content: NotificationContent): Record<string, unknown> {
  return {
    username: 'Planekeeper',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: truncate(content.title, 256),
        description: truncate(`${content.summary}\n\n[${content.link.label}](${content.link.url})`, 4096),
        url: content.link.url,
        color: DISCORD_COLOURS[content.tone],
        fields: content.facts.slice(0, 25).map((fact) => ({ name: truncate(fact.label, 256), value: truncate(fact.value || '-', 1024), inline: true })),
        timestamp: content.timestamp,
        footer: { text: 'Planekeeper' },
      },
    ],
  };
}
