import type { AlertEventType, AlertSeverity } from '@planekeeper/domain';
import type { AlertRow, ChannelType, RuleType } from '@planekeeper/db';

/** What a delivery is about: an alert event, or a test of its channel. */
export type NotificationSubject =
  | {
      kind: 'event';
      event: {
        id: string;
        type: AlertEventType;
        severity: AlertSeverity;
        deployedVersion: string;
        latestVersion: string;
        behindBy: number;
        actor: string | null;
        createdAt: Date;
      };
      alert: AlertRow;
      /** The config's current name (or the name kept on the alert once the config is deleted). */
      alertConfig: { id: string | null; name: string };
    }
  | { kind: 'test'; createdAt: Date };

/** The channel a delivery goes to (without its URL and secret). */
export interface ChannelSummary {
  id: string;
  name: string;
  type: ChannelType;
}

/** A notification as people read it, before a channel's format shapes it. */
export interface NotificationContent {
  /** One line with the severity's emoji, e.g. "🔴 New critical alert: api lag is 6 minor versions behind". */
  title: string;
  /** One or two plain sentences: the fallback text of chat services. */
  summary: string;
  /** Tone of the message, for colours. */
  tone: AlertSeverity | 'resolved' | 'info';
  facts: Array<{ label: string; value: string }>;
  link: { label: string; url: string };
  /** When it happened (ISO 8601). */
  timestamp: string;
}

const EMOJI: Record<NotificationContent['tone'], string> = { moderate: '🟡', high: '🟠', critical: '🔴', resolved: '✅', info: '🧪' };

/**
 * How far behind, in the rule's unit: "3 days", "1 major version", "6 minor versions",
 * "1.5 libyears"; an eol rule's days left: "30 days left before end of life", "past end of life by 2 days".
 */
export function behindByText(ruleType: RuleType, behindBy: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ruleType === 'eol') {
    if (behindBy < 0) return `past end of life by ${plural(-behindBy, 'day')}`;
    return behindBy === 0 ? 'at end of life today' : `${plural(behindBy, 'day')} left before end of life`;
  }
  if (ruleType === 'libyear') return plural(behindBy, 'libyear');
  return plural(behindBy, ruleType === 'days_behind' ? 'day' : ruleType === 'majors_behind' ? 'major version' : 'minor version');
}

/** Where the deployment stands, as a sentence says it: "6 minor versions behind", "30 days left before end of life". */
export function standingText(ruleType: RuleType, behindBy: number): string {
  const text = behindByText(ruleType, behindBy);
  return ruleType === 'eol' ? text : `${text} behind`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The link back to Planekeeper: the alert's page in the web UI (or, for a test, the channels page). */
export function linkBack(publicUrl: string, subject: NotificationSubject, _channel: ChannelSummary): string {
  const base = publicUrl.replace(/\/+$/, '');
  return subject.kind === 'event' ? `${base}/ui/alerts/${subject.alert.id}` : `${base}/ui/notifications?tab=channels`;
}

/** Words, facts, tone and link of a notification: the same in every channel format. */
export function describeNotification(subject: NotificationSubject, channel: ChannelSummary, publicUrl: string): NotificationContent {
  const url = linkBack(publicUrl, subject, channel);
  if (subject.kind === 'test') {
    return {
      title: `${EMOJI.info} Planekeeper test notification`,
      summary: `This is a test message from Planekeeper to the channel "${channel.name}". If you can read it, the channel works. No alert is involved.`,
      tone: 'info',
      facts: [
        { label: 'Channel', value: channel.name },
        { label: 'Type', value: channel.type },
      ],
      link: { label: 'View the channel in Planekeeper', url },
      timestamp: subject.createdAt.toISOString(),
    };
  }
  const { event, alertConfig } = subject;
  const name = alertConfig.name;
  const behind = behindByText(subject.alert.rule_type, event.behindBy);
  const standing = standingText(subject.alert.rule_type, event.behindBy);
  const tone: NotificationContent['tone'] = event.type === 'resolved' ? 'resolved' : event.severity;
  const emoji = EMOJI[tone];
  const titles: Record<AlertEventType, string> = {
    created: `${emoji} New ${event.severity} alert: ${name} is ${standing}`,
    escalated: `${emoji} Escalated to ${event.severity}: ${name} is ${standing}`,
    acknowledged: `${emoji} Acknowledged${event.actor ? ` by ${event.actor}` : ''}: ${name} is ${standing}`,
    unacknowledged: `${emoji} Unacknowledged: ${name} is ${standing}`,
    resolved: `${emoji} Resolved: ${name}`,
    snoozed: `🔕 Snoozed${event.actor ? ` by ${event.actor}` : ''}: ${name} is ${standing}`,
    unsnoozed: `${emoji} Snooze ended: ${name} is ${standing}`,
  };
  const versions = `deployed ${event.deployedVersion}, latest ${event.latestVersion}`;
  const summaries: Record<AlertEventType, string> = {
    created: `${name} is ${standing} (${versions}). Severity: ${event.severity}.`,
    escalated: `${name} is now ${standing} (${versions}). Severity rose to ${event.severity}.`,
    acknowledged: `${event.actor ?? 'Someone'} acknowledged the ${event.severity} alert on ${name} (${versions}, ${standing}).`,
    unacknowledged: event.actor
      ? `${event.actor} withdrew the acknowledgement of the ${event.severity} alert on ${name} (${versions}, ${standing}).`
      : `The deployed version of ${name} changed while it still violates its rule, so its acknowledgement was cleared (${versions}, ${standing}).`,
    resolved: `${name} no longer violates its rule; the alert is resolved (${versions}).`,
    snoozed: `${event.actor ?? 'Someone'} snoozed the ${event.severity} alert on ${name} (${versions}, ${standing}); only its resolution is notified until the snooze ends.`,
    unsnoozed: `The snooze of the ${event.severity} alert on ${name} ended${event.actor ? ` (${event.actor})` : ''}; notifications resume (${versions}, ${standing}).`,
  };
  const facts = [
    { label: 'Alert config', value: name },
    { label: 'Severity', value: capitalised(event.severity) },
    { label: 'Deployed', value: event.deployedVersion },
    { label: 'Latest', value: event.latestVersion },
    { label: 'Behind by', value: behind },
    { label: 'Event', value: event.type },
  ];
  if (event.actor) facts.push({ label: 'By', value: event.actor });
  return { title: titles[event.type], summary: summaries[event.type], tone, facts, link: { label: 'View the alert in Planekeeper', url }, timestamp: event.createdAt.toISOString() };
}

/** Cuts `text` to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
