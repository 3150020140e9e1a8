import { SEVERITY_VALUES, type AlertSeverity } from '../schemas/common.ts';

/**
 * The alert lifecycle of DESIGN section 5 as pure functions: given the open alert (if any) and the
 * latest evaluation, decide what to write. The rules-engine applies the decision and the events it
 * lists in one transaction.
 */

/** Every alert event, in lifecycle order. */
export const ALERT_EVENT_TYPES = ['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved'] as const;

/** An alert event type. */
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** What the lifecycle needs to know about a config's open alert. */
export interface OpenAlertState {
  severity: AlertSeverity;
  deployedVersion: string;
  latestVersion: string;
  behindBy: number;
  acknowledged: boolean;
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
    a.acknowledged === b.acknowledged
  );
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
export function decideAlert({ current, evaluation, configActive }: DecideAlertInput): AlertDecision {
  if (!configActive) {
    if (current === null) return unchanged(null);
    return { action: 'resolve', next: null, events: [{ type: 'resolved', severity: current.severity }] };
  }
  if (evaluation.status === 'unknown') return unchanged(current);

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

  const next: OpenAlertState = { severity, deployedVersion, latestVersion, behindBy, acknowledged };
  if (sameState(current, next)) return unchanged(current);
  return { action: 'update', next, events };
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
