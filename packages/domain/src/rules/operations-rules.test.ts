import { describe, expect, it } from '@jest/globals';
import type { ReleaseCandidate } from '../versions/index.ts';
import { evaluateRule } from './evaluate-rule.ts';
import type { RuleDefinition, RuleEvaluation, RuleEvaluationInput } from './evaluate-rule.ts';

// Issue 19: skipped releases and libyear, table-driven as the other rules are.

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

/** A release published `published` days before NOW (null: only first gathered, a day ago). */
function rel(tag: string, published: number | null = null): ReleaseCandidate {
  return { tag, publishedAt: published === null ? null : daysAgo(published), firstSeenAt: daysAgo(1), prerelease: false };
}

const minors: RuleDefinition = { type: 'minors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true };
const days: RuleDefinition = { type: 'days_behind', moderate: 30, high: 60, critical: 90, stableOnly: true };
const libyears: RuleDefinition = { type: 'libyear', moderate: 0.5, high: 1, critical: 2, stableOnly: true };

const LINE = [rel('v2.4.0', 800), rel('v2.5.0', 500), rel('v2.6.0', 300), rel('v3.0.0', 200), rel('v3.0.1', 150), rel('v3.0.2', 100)];

function evaluate(input: Omit<RuleEvaluationInput, 'now'>): RuleEvaluation {
  return evaluateRule({ ...input, now: NOW });
}

describe('evaluateRule: skipped releases', () => {
  it.each<[string, Omit<RuleEvaluationInput, 'now'>, Partial<RuleEvaluation>, string[]]>([
    ['without skips the latest is v3.0.2', { rule: minors, deployedVersion: '2.4.0', releases: LINE }, { latestVersion: 'v3.0.2', behindBy: 3, severity: 'critical' }, []],
    [
      'skipping the latest lowers to the next-highest release (v3.0.1)',
      { rule: days, deployedVersion: '3.0.0', releases: LINE, skipVersions: [{ versions: '3.0.2', reason: 'breaks TLS' }] },
      { latestVersion: 'v3.0.1', behindBy: 200, severity: 'critical' },
      ['v3.0.2'],
    ],
    [
      'a skipped range is never latest and never counted',
      { rule: minors, deployedVersion: '2.4.0', releases: LINE, skipVersions: [{ versions: '>=3.0.0', reason: 'not yet certified' }, { versions: '2.6.0', reason: 'cve' }] },
      { latestVersion: 'v2.5.0', behindBy: 1, severity: 'moderate' },
      ['v2.6.0', 'v3.0.0', 'v3.0.1', 'v3.0.2'],
    ],
    [
      'the deployed release stays comparable when it is skipped itself',
      { rule: minors, deployedVersion: 'v3.0.1', releases: LINE, skipVersions: [{ versions: '>=3.0.0 <3.0.2', reason: 'regression' }] },
      { status: 'ok', latestVersion: 'v3.0.2', behindBy: 0, severity: null },
      ['v3.0.0'],
    ],
    [
      'skipping everything newer leaves the deployed release latest',
      { rule: days, deployedVersion: '2.4.0', releases: LINE, skipVersions: [{ versions: '>2.4.0', reason: 'freeze' }] },
      { latestVersion: 'v2.4.0', behindBy: 0, severity: null },
      ['v2.5.0', 'v2.6.0', 'v3.0.0', 'v3.0.1', 'v3.0.2'],
    ],
  ])('%s', (_name, input, expected, skippedTags) => {
    const result = evaluate(input);
    expect(result).toMatchObject(expected);
    expect(result.skipped.map((entry) => entry.tag)).toEqual(skippedTags);
    if (skippedTags.length > 0 && result.status === 'ok') expect(result.notes.join(' ')).toMatch(/skipped/);
  });

  it('an unknown evaluation still lists what was skipped', () => {
    const result = evaluate({ rule: days, deployedVersion: '9.9.9', releases: LINE, skipVersions: [{ versions: '3.0.2', reason: 'x' }] });
    expect(result.status).toBe('unknown');
    expect(result.skipped).toEqual([{ tag: 'v3.0.2', versions: '3.0.2', reason: 'x' }]);
  });
});

describe('evaluateRule: libyear', () => {
  it.each<[string, Omit<RuleEvaluationInput, 'now'>, Partial<RuleEvaluation>]>([
    ['365.25 days between release dates is 1 libyear (high)', { rule: libyears, deployedVersion: '1.0.0', releases: [rel('1.0.0', 465.25), rel('1.1.0', 100)] }, { status: 'ok', behindBy: 1, libyear: 1, severity: 'high' }],
    ['half a year is moderate', { rule: libyears, deployedVersion: '1.0.0', releases: [rel('1.0.0', 300), rel('1.1.0', 117)] }, { behindBy: 0.5, severity: 'moderate' }],
    ['below the moderate threshold: no violation', { rule: libyears, deployedVersion: '1.0.0', releases: [rel('1.0.0', 100), rel('1.1.0', 50)] }, { behindBy: 0.14, severity: null }],
    ['on the latest: 0', { rule: libyears, deployedVersion: '1.1.0', releases: [rel('1.0.0', 800), rel('1.1.0', 100)] }, { behindBy: 0, libyear: 0, severity: null }],
    ['three years is critical', { rule: libyears, deployedVersion: '1.0.0', releases: [rel('1.0.0', 1200), rel('2.0.0', 104.25)] }, { behindBy: 3, severity: 'critical' }],
    ['every other rule reports libyear too', { rule: minors, deployedVersion: '1.0.0', releases: [rel('1.0.0', 465.25), rel('1.1.0', 100)] }, { behindBy: 1, libyear: 1 }],
    ['without a publish date on one side, other rules report null', { rule: minors, deployedVersion: '1.0.0', releases: [rel('1.0.0', 400), rel('1.1.0')] }, { status: 'ok', libyear: null }],
  ])('%s', (_name, input, expected) => {
    expect(evaluate(input)).toMatchObject(expected);
  });

  it('a libyear rule without dates on both sides is unknown, saying why', () => {
    const result = evaluate({ rule: libyears, deployedVersion: '1.0.0', releases: [rel('1.0.0', 400), rel('1.1.0')] });
    expect(result).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/publish date/), latestVersion: '1.1.0' });
  });
});
