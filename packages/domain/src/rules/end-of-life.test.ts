import { describe, expect, it } from '@jest/globals';
import type { ReleaseCandidate } from '../versions/index.ts';
import { endOfLife, eolSeverity, type EolCycle } from './end-of-life.ts';
import { evaluateRule, type RuleDefinition } from './evaluate-rule.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const cycle = (name: string, eolDate: string | null, eol = false): EolCycle => ({ name, eolDate, eol, latestVersion: null });
const KUBERNETES = [cycle('1.27', '2025-06-28', true), cycle('1.28', '2026-05-30'), cycle('1.29', '2026-03-01'), cycle('1.30', '2026-06-28'), cycle('1.31', null)];
const POSTGRES = [cycle('16', '2028-11-09'), cycle('15', '2027-11-11'), cycle('12', '2024-11-21', true)];
const PYTHON = [cycle('3.12', '2028-10-31'), cycle('3.1', '2012-04-09', true)];

describe('endOfLife: the deployed version\'s cycle and days left', () => {
  it.each<[string, string | null, readonly EolCycle[] | null, ReturnType<typeof endOfLife>]>([
    ['1.28.4 is cycle 1.28', '1.28.4', KUBERNETES, { ok: true, eol: { cycle: '1.28', eolDate: '2026-05-30', daysLeft: 90 } }],
    ['v1.29.0: on the EOL date, 0 days left', 'v1.29.0', KUBERNETES, { ok: true, eol: { cycle: '1.29', eolDate: '2026-03-01', daysLeft: 0 } }],
    ['past EOL: negative days', '1.27.9', KUBERNETES, { ok: true, eol: { cycle: '1.27', eolDate: '2025-06-28', daysLeft: -246 } }],
    ['a major-named cycle (16.2 -> 16)', '16.2', POSTGRES, { ok: true, eol: { cycle: '16', eolDate: '2028-11-09', daysLeft: 984 } }],
    ['a variant tag keeps its cycle', '15.6-alpine', POSTGRES, { ok: true, eol: { cycle: '15', eolDate: '2027-11-11', daysLeft: 620 } }],
    ['3.12.1 is 3.12, not 3.1', '3.12.1', PYTHON, { ok: true, eol: { cycle: '3.12', eolDate: '2028-10-31', daysLeft: 975 } }],
    ['no known cycle', '1.20.1', KUBERNETES, { ok: false, reason: expect.stringContaining('belongs to no known release cycle') as unknown as string }],
    ['a cycle without an EOL date', '1.31.0', KUBERNETES, { ok: false, reason: 'release cycle 1.31 has no end-of-life date yet' }],
    ['no endoflife job linked', '1.28.4', null, { ok: false, reason: expect.stringContaining('eolGatherJobId') as unknown as string }],
    ['no cycles gathered yet', '1.28.4', [], { ok: false, reason: expect.stringContaining('no release cycles yet') as unknown as string }],
    ['a deployed version that does not parse', 'latest', KUBERNETES, { ok: false, reason: expect.stringContaining('does not parse') as unknown as string }],
  ])('%s', (_name, deployed, cycles, expected) => {
    expect(endOfLife(deployed, cycles, NOW)).toEqual(expected);
  });
});

describe('eolSeverity: a threshold is reached when the days left are at or below it', () => {
  const thresholds = { moderate: 90, high: 30, critical: 0 };
  it.each<[number, ReturnType<typeof eolSeverity>]>([[91, null], [90, 'moderate'], [31, 'moderate'], [30, 'high'], [1, 'high'], [0, 'critical'], [-10, 'critical']])('%d days left: %s', (days, severity) => {
    expect(eolSeverity(days, thresholds)).toBe(severity);
  });
});

describe('evaluateRule: eol rule', () => {
  const rule: RuleDefinition = { type: 'eol', moderate: 90, high: 30, critical: 0, stableOnly: true };
  const at = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
  const releases: ReleaseCandidate[] = ['1.28.4', '1.29.2', '1.30.1'].map((tag, i) => ({ tag, publishedAt: at(300 - i * 100), firstSeenAt: at(1), prerelease: false }));
  it.each<[string, string, readonly EolCycle[] | null, Record<string, unknown>]>([
    ['90 days left is moderate', '1.28.4', KUBERNETES, { status: 'ok', behindBy: 90, severity: 'moderate', latestVersion: '1.30.1', eol: { cycle: '1.28', eolDate: '2026-05-30', daysLeft: 90 } }],
    ['on the EOL date is critical', '1.29.2', KUBERNETES, { status: 'ok', behindBy: 0, severity: 'critical' }],
    ['119 days left: no violation', '1.30.1', KUBERNETES, { status: 'ok', behindBy: 119, severity: null }],
    ['a deployed version not among the gathered releases still has its cycle', '1.28.1', KUBERNETES, { status: 'ok', behindBy: 90, severity: 'moderate' }],
    ['no cycle: unknown with the reason', '1.20.1', KUBERNETES, { status: 'unknown', reason: expect.stringContaining('no known release cycle') }],
    ['no EOL data: unknown with the reason', '1.28.4', null, { status: 'unknown', reason: expect.stringContaining('eolGatherJobId') }],
  ])('%s', (_name, deployedVersion, cycles, expected) => {
    expect(evaluateRule({ rule, deployedVersion, releases, cycles, now: NOW })).toMatchObject(expected);
  });

  it('time moves the answer: the same data one day later is one day closer', () => {
    const later = evaluateRule({ rule, deployedVersion: '1.28.4', releases, cycles: KUBERNETES, now: new Date('2026-05-31T00:00:00Z') });
    expect(later).toMatchObject({ behindBy: -1, severity: 'critical' });
  });

  it('other rules show the cycle too when EOL data is linked', () => {
    const minors = evaluateRule({ rule: { ...rule, type: 'minors_behind', moderate: 1, high: 2, critical: 3 }, deployedVersion: '1.28.4', releases, cycles: KUBERNETES, now: NOW });
    expect(minors).toMatchObject({ behindBy: 2, eol: { cycle: '1.28', daysLeft: 90 } });
  });
});
