import { describe, expect, it } from '@jest/globals';
import type { AlertSeverity } from '../schemas/common.ts';
import {
  ALERT_EVENT_TYPES,
  acknowledgeAlert,
  decideAlert,
  unacknowledgeAlert,
  type AlertDecision,
  type LifecycleEvaluation,
  type OpenAlertState,
} from './alert-lifecycle.ts';

const open = (overrides: Partial<OpenAlertState> = {}): OpenAlertState => ({
  severity: 'moderate',
  deployedVersion: 'v1.2.0',
  latestVersion: 'v1.8.0',
  behindBy: 6,
  acknowledged: false,
  ...overrides,
});

const ok = (
  severity: AlertSeverity | null,
  overrides: Partial<{ deployedVersion: string; latestVersion: string; behindBy: number }> = {},
): LifecycleEvaluation => ({
  status: 'ok',
  severity,
  deployedVersion: 'v1.2.0',
  latestVersion: 'v1.8.0',
  behindBy: 6,
  ...overrides,
});

const unknown: LifecycleEvaluation = { status: 'unknown' };

describe('ALERT_EVENT_TYPES', () => {
  it('lists the lifecycle events, snoozes included', () => {
    expect(ALERT_EVENT_TYPES).toEqual(['created', 'escalated', 'acknowledged', 'unacknowledged', 'resolved', 'snoozed', 'unsnoozed']);
  });
});

describe('decideAlert: the table of DESIGN section 5', () => {
  type Row = [string, OpenAlertState | null, LifecycleEvaluation, boolean, Partial<AlertDecision>];
  const rows: Row[] = [
    ['no alert, violation -> open, created', null, ok('high'), true, {
      action: 'open',
      next: open({ severity: 'high' }),
      events: [{ type: 'created', severity: 'high' }],
    }],
    ['no alert, no violation -> nothing', null, ok(null), true, { action: 'none', next: null, events: [] }],
    ['no alert, unknown -> nothing', null, unknown, true, { action: 'none', next: null, events: [] }],
    ['no alert, config inactive, violation -> nothing', null, ok('critical'), false, { action: 'none', next: null, events: [] }],
    ['severity rises -> update, escalated', open(), ok('critical', { behindBy: 20 }), true, {
      action: 'update',
      next: open({ severity: 'critical', behindBy: 20 }),
      events: [{ type: 'escalated', severity: 'critical' }],
    }],
    ['severity rises while acknowledged -> acknowledgement stays', open({ acknowledged: true }), ok('high'), true, {
      action: 'update',
      next: open({ severity: 'high', acknowledged: true }),
      events: [{ type: 'escalated', severity: 'high' }],
    }],
    ['severity falls -> update, no event', open({ severity: 'critical' }), ok('moderate'), true, {
      action: 'update',
      next: open({ severity: 'moderate' }),
      events: [],
    }],
    ['severity falls while acknowledged -> acknowledgement stays', open({ severity: 'high', acknowledged: true }), ok('moderate'), true, {
      action: 'update',
      next: open({ severity: 'moderate', acknowledged: true }),
      events: [],
    }],
    ['acknowledged, deployed changes, still violating -> unacknowledged', open({ acknowledged: true }), ok('moderate', { deployedVersion: 'v1.3.0' }), true, {
      action: 'update',
      next: open({ deployedVersion: 'v1.3.0' }),
      events: [{ type: 'unacknowledged', severity: 'moderate' }],
    }],
    ['acknowledged, deployed changes and rises -> unacknowledged then escalated', open({ acknowledged: true }), ok('critical', { deployedVersion: 'v0.9.0' }), true, {
      action: 'update',
      next: open({ severity: 'critical', deployedVersion: 'v0.9.0' }),
      events: [
        { type: 'unacknowledged', severity: 'critical' },
        { type: 'escalated', severity: 'critical' },
      ],
    }],
    ['acknowledged, deployed changes and falls -> unacknowledged only', open({ severity: 'high', acknowledged: true }), ok('moderate', { deployedVersion: 'v1.7.0' }), true, {
      action: 'update',
      next: open({ severity: 'moderate', deployedVersion: 'v1.7.0' }),
      events: [{ type: 'unacknowledged', severity: 'moderate' }],
    }],
    ['not acknowledged, deployed changes, same severity -> update, no event', open(), ok('moderate', { deployedVersion: 'v1.3.0', behindBy: 5 }), true, {
      action: 'update',
      next: open({ deployedVersion: 'v1.3.0', behindBy: 5 }),
      events: [],
    }],
    ['only latest and behindBy change -> update, no event', open(), ok('moderate', { latestVersion: 'v1.9.0', behindBy: 7 }), true, {
      action: 'update',
      next: open({ latestVersion: 'v1.9.0', behindBy: 7 }),
      events: [],
    }],
    ['acknowledged, only latest changes -> acknowledgement stays', open({ acknowledged: true }), ok('moderate', { latestVersion: 'v1.9.0' }), true, {
      action: 'update',
      next: open({ latestVersion: 'v1.9.0', acknowledged: true }),
      events: [],
    }],
    ['unchanged situation -> none', open(), ok('moderate'), true, { action: 'none', next: open(), events: [] }],
    ['unchanged acknowledged situation -> none', open({ acknowledged: true }), ok('moderate'), true, {
      action: 'none',
      next: open({ acknowledged: true }),
      events: [],
    }],
    ['no violation -> resolve with the last severity and the versions that resolved it', open({ severity: 'critical' }), ok(null, { deployedVersion: 'v1.8.0', behindBy: 0 }), true, {
      action: 'resolve',
      next: open({ severity: 'critical', deployedVersion: 'v1.8.0', behindBy: 0 }),
      events: [{ type: 'resolved', severity: 'critical' }],
    }],
    ['no violation while acknowledged -> resolve', open({ severity: 'high', acknowledged: true }), ok(null), true, {
      action: 'resolve',
      next: open({ severity: 'high', acknowledged: true }),
      events: [{ type: 'resolved', severity: 'high' }],
    }],
    ['config inactive, still violating -> resolve', open({ severity: 'high' }), ok('critical'), false, {
      action: 'resolve',
      next: null,
      events: [{ type: 'resolved', severity: 'high' }],
    }],
    ['config inactive, unknown evaluation -> resolve', open(), unknown, false, {
      action: 'resolve',
      next: null,
      events: [{ type: 'resolved', severity: 'moderate' }],
    }],
    ['unknown evaluation -> no change', open({ severity: 'high', acknowledged: true }), unknown, true, {
      action: 'none',
      next: open({ severity: 'high', acknowledged: true }),
      events: [],
    }],
  ];

  it.each(rows)('%s', (_name, current, evaluation, configActive, expected) => {
    expect(decideAlert({ current, evaluation, configActive })).toEqual(expected);
  });

  it('does not mutate its input', () => {
    const current = Object.freeze(open({ acknowledged: true }));
    expect(() => decideAlert({ current, evaluation: ok('critical', { deployedVersion: 'v2' }), configActive: true })).not.toThrow();
    expect(current).toEqual(open({ acknowledged: true }));
  });
});

describe('decideAlert: invariants over every combination', () => {
  const severities: (AlertSeverity | null)[] = [null, 'moderate', 'high', 'critical'];
  const currents: (OpenAlertState | null)[] = [null];
  for (const severity of ['moderate', 'high', 'critical'] as const) {
    for (const acknowledged of [false, true]) currents.push(open({ severity, acknowledged }));
  }
  const evaluations: LifecycleEvaluation[] = [unknown];
  for (const severity of severities) {
    for (const deployedVersion of ['v1.2.0', 'v1.3.0']) {
      for (const latestVersion of ['v1.8.0', 'v1.9.0']) evaluations.push(ok(severity, { deployedVersion, latestVersion }));
    }
  }
  const cases = currents.flatMap((current) =>
    evaluations.flatMap((evaluation) => [true, false].map((configActive) => ({ current, evaluation, configActive }))),
  );

  it('covers a few hundred combinations', () => {
    expect(cases.length).toBe(7 * 17 * 2);
  });

  it.each(cases.map((c, i) => [i, c] as const))('combination %i keeps the invariants', (_i, input) => {
    const decision = decideAlert(input);
    // Applying the decision and re-deciding the same evaluation is idempotent.
    // A resolved alert is closed: no open alert is left to re-decide on.
    const again = decideAlert({ ...input, current: decision.action === 'resolve' ? null : decision.next });
    expect(again.events).toEqual([]);
    if (decision.action !== 'resolve') expect(again.action).toBe('none');
    // Each event carries the severity written with it; resolved carries the last severity.
    for (const event of decision.events) {
      if (event.type === 'resolved') expect(event.severity).toBe(input.current?.severity);
      else expect(event.severity).toBe(decision.next?.severity);
    }
    // Events exist only when something changed, and never twice the same.
    if (decision.action === 'none') expect(decision.events).toEqual([]);
    expect(new Set(decision.events.map((e) => e.type)).size).toBe(decision.events.length);
    // Unacknowledged always precedes escalated.
    const types = decision.events.map((e) => e.type);
    if (types.includes('unacknowledged') && types.includes('escalated')) {
      expect(types.indexOf('unacknowledged')).toBeLessThan(types.indexOf('escalated'));
    }
    // A resolve always has an alert to resolve, and an open never has one already.
    if (decision.action === 'resolve') expect(input.current).not.toBeNull();
    if (decision.action === 'open') expect(input.current).toBeNull();
    // An unknown evaluation of an active config changes nothing.
    if (input.evaluation.status === 'unknown' && input.configActive) expect(decision).toEqual({ action: 'none', next: input.current, events: [] });
  });
});

describe('acknowledgeAlert / unacknowledgeAlert', () => {
  it('acknowledges an unacknowledged alert', () => {
    expect(acknowledgeAlert(open({ severity: 'high' }))).toEqual({
      action: 'update',
      next: open({ severity: 'high', acknowledged: true }),
      events: [{ type: 'acknowledged', severity: 'high' }],
    });
  });

  it('is idempotent when already acknowledged', () => {
    expect(acknowledgeAlert(open({ acknowledged: true }))).toEqual({ action: 'none', next: open({ acknowledged: true }), events: [] });
  });

  it('unacknowledges an acknowledged alert', () => {
    expect(unacknowledgeAlert(open({ severity: 'critical', acknowledged: true }))).toEqual({
      action: 'update',
      next: open({ severity: 'critical' }),
      events: [{ type: 'unacknowledged', severity: 'critical' }],
    });
  });

  it('is idempotent when not acknowledged', () => {
    expect(unacknowledgeAlert(open())).toEqual({ action: 'none', next: open(), events: [] });
  });

  it('round-trips: acknowledge then unacknowledge gives the original state', () => {
    const acked = acknowledgeAlert(open());
    expect(acked.next).not.toBeNull();
    expect(unacknowledgeAlert(acked.next as OpenAlertState).next).toEqual(open());
  });

  it('an acknowledgement survives an unchanged re-evaluation', () => {
    const acked = acknowledgeAlert(open()).next as OpenAlertState;
    expect(decideAlert({ current: acked, evaluation: ok('moderate'), configActive: true }).next?.acknowledged).toBe(true);
  });
});
