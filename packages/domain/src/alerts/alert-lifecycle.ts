import { SEVERITY_VALUES, type AlertSeverity } from '../schemas/common.ts';

/**
 * The alert lifecycle of DESIGN section 5 as pure functions: given the open alert (if any) and the
 * latest evaluation, decide what to write. The rules-engine applies the decision and the events it
 * lists in one transaction.
 */

/** Every alert event, in lifecycle order. */
export const ALERT_EVENT_TYPES = ['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved', 'snoozed', 'unsnoozed'] as const;

/** An alert event type. */
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** What the lifecycle needs to know about a config's open alert. */
export interface OpenAlertState {
  severity: AlertSeverity;
  deployedVersion: string;
  latestVersion: string;
  behindBy: number;
  acknowledged: boolean;
  /** Set while the alert is snoozed (absent is the same as null). */
  snooze?: AlertSnooze | null;
}

/**
 * A snooze: until a time, or until the latest version changes from the one it was snoozed on.
 * While it lasts, events other than `resolved` are recorded but not notified.
 */
export interface AlertSnooze {
  /** ISO 8601; null when it lasts until the latest version changes. */
  until: string | null;
  /** The latest version when snoozed `untilLatestChanges`; null for a snooze until a time. */
  latestVersion: string | null;
  /** The alert's severity when snoozed: a higher one when the snooze ends is notified then. */
  severity: AlertSeverity;
  /** Who snoozed it (the API key's name). */
  by: string;
  reason: string | null;
}

/** The outcome of one evaluation, as the lifecycle sees it. `severity` null means no violation. */
export type LifecycleEvaluation =
  | {
      status: 'ok';
      severity: AlertSeverity | null;
      deployedVersion: string;
      latestVersion: string;
      behindBy: number;
    }
  | { status: 'unknown' };

/** One event to record; `severity` is the alert's severity at that moment. */
export interface AlertLifecycleEvent {
  type: AlertEventType;
  severity: AlertSeverity;
  /** Recorded but not notified: it happened while the alert was snoozed. */
  silenced?: boolean;
}

/** What to do with the alert. */
export type AlertAction = 'none' | 'open' | 'update' | 'resolve';

/**
 * A decision. `next` is the alert after the decision: the new state for `open`/`update`, the
 * unchanged state (or null when there is none) for `none`. For `resolve` it is the alert as it
 * closes when an evaluation resolved it (its last severity, with the versions that resolved it,
 * so "resolved" says what is deployed now), and null when the config was disabled or deleted
 * (the alert closes as it last was).
 */
export interface AlertDecision {
  action: AlertAction;
  next: OpenAlertState | null;
  events: AlertLifecycleEvent[];
}

/** Input of {@link decideAlert}. */
export interface DecideAlertInput {
  current: OpenAlertState | null;
  evaluation: LifecycleEvaluation;
  /** False when the alert config is disabled or deleted: its open alert resolves. */
  configActive: boolean;
  /** When the decision is made (a snooze until a time ends then); default: never ends by time. */
  now?: Date;
}

function rank(severity: AlertSeverity): number {
  return SEVERITY_VALUES.indexOf(severity);
}

function sameState(a: OpenAlertState, b: OpenAlertState): boolean {
  return (
    a.severity === b.severity &&
    a.deployedVersion === b.deployedVersion &&
    a.latestVersion === b.latestVersion &&
    a.behindBy === b.behindBy &&
    a.acknowledged === b.acknowledged &&
    (a.snooze ?? null) === (b.snooze ?? null)
  );
}

/** True once a snooze is over: its time has come, or the latest version is no longer the one snoozed on. */
export function snoozeEnded(snooze: AlertSnooze, now: Date | undefined, latestVersion: string | null): boolean {
  if (snooze.until !== null) return now !== undefined && now.getTime() >= Date.parse(snooze.until);
  return latestVersion !== null && latestVersion !== snooze.latestVersion;
}

/**
 * The events of a decision on a snoozed alert: silenced while the snooze lasts; when it ends,
 * `unsnoozed`, and an escalation past the severity it was snoozed at, which was recorded silently
 * during the snooze, is notified now if it still holds.
 */
function throughSnooze(current: OpenAlertState, next: OpenAlertState, events: AlertLifecycleEvent[], now: Date | undefined, latestVersion: string | null): { next: OpenAlertState; events: AlertLifecycleEvent[] } {
  const snooze = current.snooze ?? null;
  if (snooze === null) return { next, events };
  if (!snoozeEnded(snooze, now, latestVersion)) return { next: { ...next, snooze }, events: events.map((event) => ({ ...event, silenced: true })) };
  const ended = [...events, { type: 'unsnoozed' as const, severity: next.severity }];
  if (rank(next.severity) > rank(snooze.severity) && !events.some((event) => event.type === 'escalated')) ended.push({ type: 'escalated', severity: next.severity });
  return { next: { ...next, snooze: null }, events: ended };
}

const unchanged = (current: OpenAlertState | null): AlertDecision => ({ action: 'none', next: current, events: [] });

/**
 * Decides how one evaluation changes a config's alert:
 * - no open alert + violation: open it (`created`);
 * - severity rises: update in place, keeping an acknowledgement (`escalated`);
 * - severity falls: update in place, no event;
 * - acknowledged + deployed version changed + still violating: clear the acknowledgement
 *   (`unacknowledged`, then `escalated` if it also rose);
 * - no violation, or the config inactive: resolve (`resolved` with the last severity);
 * - `unknown` evaluation: nothing changes.
 * Re-deciding an unchanged situation gives action `none` and no events. Events carry the severity
 * of the alert as this decision writes it (the new one; the last one for `resolved`).
 */
export function decideAlert({ current, evaluation, configActive, now }: DecideAlertInput): AlertDecision {
  if (!configActive) {
    if (current === null) return unchanged(null);
    return { action: 'resolve', next: null, events: [{ type: 'resolved', severity: current.severity }] };
  }
  if (evaluation.status === 'unknown') {
    // Time ends a snooze even when nothing can be compared.
    if (current?.snooze && snoozeEnded(current.snooze, now, null)) {
      const through = throughSnooze(current, current, [], now, null);
      return { action: 'update', ...through };
    }
    return unchanged(current);
  }

  const { severity, deployedVersion, latestVersion, behindBy } = evaluation;
  if (severity === null) {
    if (current === null) return unchanged(null);
    const closing: OpenAlertState = { ...current, deployedVersion, latestVersion, behindBy };
    return { action: 'resolve', next: closing, events: [{ type: 'resolved', severity: current.severity }] };
  }
  if (current === null) {
    const next: OpenAlertState = { severity, deployedVersion, latestVersion, behindBy, acknowledged: false };
    return { action: 'open', next, events: [{ type: 'created', severity }] };
  }

  const events: AlertLifecycleEvent[] = [];
  const deployedChanged = deployedVersion !== current.deployedVersion;
  const acknowledged = current.acknowledged && !deployedChanged;
  if (current.acknowledged && !acknowledged) events.push({ type: 'unacknowledged', severity });
  if (rank(severity) > rank(current.severity)) events.push({ type: 'escalated', severity });

  const through = throughSnooze(current, { severity, deployedVersion, latestVersion, behindBy, acknowledged }, events, now, latestVersion);
  if (sameState(current, through.next)) return unchanged(current);
  return { action: 'update', ...through };
}

/** A user snoozes the alert: `snoozed` (notified, so a team sees who silenced what); a new snooze replaces one that runs. */
export function snoozeAlert(current: OpenAlertState, snooze: Omit<AlertSnooze, 'severity'>): AlertDecision {
  return {
    action: 'update',
    next: { ...current, snooze: { ...snooze, severity: current.severity } },
    events: [{ type: 'snoozed', severity: current.severity }],
  };
}

/** A user ends the snooze: `unsnoozed` (and a silenced escalation that still holds), or nothing when not snoozed. */
export function unsnoozeAlert(current: OpenAlertState): AlertDecision {
  const snooze = current.snooze ?? null;
  if (snooze === null) return unchanged(current);
  const events: AlertLifecycleEvent[] = [{ type: 'unsnoozed', severity: current.severity }];
  if (rank(current.severity) > rank(snooze.severity)) events.push({ type: 'escalated', severity: current.severity });
  return { action: 'update', next: { ...current, snooze: null }, events };
}

/** A user acknowledges the alert: `acknowledged`, or nothing when it already is. */
export function acknowledgeAlert(current: OpenAlertState): AlertDecision {
  if (current.acknowledged) return unchanged(current);
  return {
    action: 'update',
    next: { ...current, acknowledged: true },
    events: [{ type: 'acknowledged', severity: current.severity }],
  };
}

/** A user withdraws an acknowledgement: `unacknowledged`, or nothing when there is none. */
export function unacknowledgeAlert(current: OpenAlertState): AlertDecision {
  if (!current.acknowledged) return unchanged(current);
  return {
    action: 'update',
    next: { ...current, acknowledged: false },
    events: [{ type: 'unacknowledged', severity: current.severity }],
  };
}
