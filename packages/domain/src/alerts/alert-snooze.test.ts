import { describe, expect, it } from '@jest/globals';
import { decideAlert, snoozeAlert, unsnoozeAlert, type AlertSnooze, type LifecycleEvaluation, type OpenAlertState } from './alert-lifecycle.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const base: OpenAlertState = { severity: 'moderate', deployedVersion: '1.2.0', latestVersion: '1.4.0', behindBy: 2, acknowledged: false };
const byTime: AlertSnooze = { until: '2026-03-02T00:00:00.000Z', latestVersion: null, severity: 'moderate', by: 'ops key', reason: 'maintenance window' };
const byLatest: AlertSnooze = { until: null, latestVersion: '1.4.0', severity: 'moderate', by: 'ops key', reason: null };
const ok = (severity: OpenAlertState['severity'] | null, latestVersion = '1.4.0', behindBy = 2): LifecycleEvaluation => ({ status: 'ok', severity, deployedVersion: '1.2.0', latestVersion, behindBy });
const later = new Date('2026-03-02T00:00:00Z');

describe('decideAlert on a snoozed alert', () => {
  it.each<[string, AlertSnooze, LifecycleEvaluation, Date, { action: string; events: object[]; snoozed: boolean }]>([
    ['escalation during a snooze is recorded, silenced', byTime, ok('high', '1.4.0', 3), NOW, { action: 'update', events: [{ type: 'escalated', severity: 'high', silenced: true }], snoozed: true }],
    ['resolution is notified during a snooze', byTime, ok(null), NOW, { action: 'resolve', events: [{ type: 'resolved', severity: 'moderate' }], snoozed: false }],
    ['nothing new, snooze running: nothing', byTime, ok('moderate'), NOW, { action: 'none', events: [], snoozed: true }],
    ['the time comes: unsnoozed', byTime, ok('moderate'), later, { action: 'update', events: [{ type: 'unsnoozed', severity: 'moderate' }], snoozed: false }],
    ['the time comes during an evaluation that cannot compare: unsnoozed all the same', byTime, { status: 'unknown' }, later, { action: 'update', events: [{ type: 'unsnoozed', severity: 'moderate' }], snoozed: false }],
    ['the latest version changes: unsnoozed, with the escalation it brings notified', byLatest, ok('high', '1.5.0', 3), NOW, { action: 'update', events: [{ type: 'escalated', severity: 'high' }, { type: 'unsnoozed', severity: 'high' }], snoozed: false }],
    ['the same latest version: the snooze holds', byLatest, ok('moderate', '1.4.0'), later, { action: 'none', events: [], snoozed: true }],
  ])('%s', (_name, snooze, evaluation, now, expected) => {
    const decision = decideAlert({ current: { ...base, snooze }, evaluation, configActive: true, now });
    expect(decision.action).toBe(expected.action);
    expect(decision.events).toEqual(expected.events);
    if (decision.next && decision.action !== 'resolve') expect(decision.next.snooze ?? null).toEqual(expected.snoozed ? snooze : null);
  });

  it('an escalation silenced during the snooze is notified when it ends, if it still holds', () => {
    const escalatedWhileSnoozed: OpenAlertState = { ...base, severity: 'high', behindBy: 3, snooze: byTime };
    const end = decideAlert({ current: escalatedWhileSnoozed, evaluation: ok('high', '1.4.0', 3), configActive: true, now: later });
    expect(end.events).toEqual([{ type: 'unsnoozed', severity: 'high' }, { type: 'escalated', severity: 'high' }]);
    const fellBack = decideAlert({ current: escalatedWhileSnoozed, evaluation: ok('moderate'), configActive: true, now: later });
    expect(fellBack.events).toEqual([{ type: 'unsnoozed', severity: 'moderate' }]);
  });
});

describe('snoozeAlert and unsnoozeAlert', () => {
  it('snoozing records the severity it was snoozed at, with a snoozed event', () => {
    const decision = snoozeAlert(base, { until: byTime.until, latestVersion: null, by: 'ops key', reason: 'maintenance window' });
    expect(decision).toEqual({ action: 'update', next: { ...base, snooze: byTime }, events: [{ type: 'snoozed', severity: 'moderate' }] });
  });
  it.each<[string, OpenAlertState, object[]]>([
    ['not snoozed: nothing', base, []],
    ['snoozed: unsnoozed', { ...base, snooze: byTime }, [{ type: 'unsnoozed', severity: 'moderate' }]],
    ['escalated while snoozed: unsnoozed, then escalated', { ...base, severity: 'critical', snooze: byTime }, [{ type: 'unsnoozed', severity: 'critical' }, { type: 'escalated', severity: 'critical' }]],
  ])('unsnoozing %s', (_name, current, events) => {
    expect(unsnoozeAlert(current).events).toEqual(events);
  });
});
