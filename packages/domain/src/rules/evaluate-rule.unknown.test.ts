// Tag filter, unknown results and isViolation; evaluate-rule.test.ts covers ok results.
import { describe, expect, it } from '@jest/globals';
import type { ReleaseCandidate } from '../versions/index.ts';
import { catalogReleases } from '../versions/index.ts';
import { evaluateCatalogRule, evaluateRule, isViolation } from './evaluate-rule.ts';
import type { RuleDefinition, RuleEvaluation, RuleEvaluationInput } from './evaluate-rule.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

type ReleaseOptions = { published?: number | null; firstSeen?: number; prerelease?: boolean };

/** A gathered release; dates are given in days before NOW. */
function rel(tag: string, options: ReleaseOptions = {}): ReleaseCandidate {
  const { published = null, firstSeen = 1, prerelease = false } = options;
  return {
    tag,
    publishedAt: published === null ? null : daysAgo(published),
    firstSeenAt: daysAgo(firstSeen),
    prerelease,
  };
}

const tags = (...list: string[]) => list.map((tag) => rel(tag));

function rule(type: RuleDefinition['type'], overrides: Partial<RuleDefinition> = {}): RuleDefinition {
  const thresholds = type === 'days_behind' ? { moderate: 30, high: 60, critical: 90 } : { moderate: 1, high: 2, critical: 3 };
  return { type, ...thresholds, stableOnly: true, ...overrides };
}

function evaluate(input: Omit<RuleEvaluationInput, 'now'>): RuleEvaluation {
  return evaluateRule({ ...input, now: NOW });
}

const EVERY_MINOR = tags('v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0', 'v1.6.0', 'v1.7.0', 'v1.8.0');

describe('evaluateRule: tag filter', () => {
  const RELEASES = tags('v1.2.0', 'v1.3.0', 'v2.0.0', 'helm-chart-3.0.0', 'nightly-2.1.0');

  // Section 4 families: helm-chart- and nightly- tags never compete with the `v` family.
  it.each<[string | null | undefined, string, number]>([
    [undefined, 'v2.0.0', 1],
    [null, 'v2.0.0', 1],
    ['', 'v2.0.0', 1],
    ['^v\\d', 'v2.0.0', 1],
    ['^v1\\.', 'v1.3.0', 0],
  ])('filter %j: latest %j, majors behind %j', (tagFilter, latest, behindBy) => {
    const evaluation = evaluate({ rule: rule('majors_behind'), deployedVersion: '1.2.0', releases: RELEASES, tagFilter });
    expect(evaluation).toMatchObject({ status: 'ok', latestVersion: latest, behindBy });
  });

  it('a filter that excludes the deployed release makes it unknown', () => {
    const evaluation = evaluate({
      rule: rule('majors_behind'),
      deployedVersion: '1.2.0',
      releases: RELEASES,
      tagFilter: '^helm-chart-',
    });
    expect(evaluation).toEqual({
      status: 'unknown',
      skipped: [],
      reason: 'deployed version 1.2.0 is not among the 1 gathered release of family "helm-chart-" and variant ""',
      deployedVersion: '1.2.0',
      latestVersion: 'helm-chart-3.0.0',
      explanation: expect.objectContaining({ family: 'helm-chart-', familyChosenBy: 'only_family', variant: '' }),
    });
  });

  it('an invalid filter is unknown with a reason instead of throwing', () => {
    const evaluation = evaluate({
      rule: rule('majors_behind'),
      deployedVersion: '1.2.0',
      releases: RELEASES,
      tagFilter: '(v1',
    });
    expect(evaluation).toEqual({
      status: 'unknown',
      skipped: [],
      reason: 'tag filter "(v1" is not a valid regular expression',
      deployedVersion: '1.2.0',
      latestVersion: null,
      explanation: expect.objectContaining({ family: null, skipped: [{ reason: 'tag_filter', count: 5, sample: expect.any(Array) }] }),
    });
  });

  it('a stored filter the linear-time engine cannot run (lookahead) is unknown, not applied', () => {
    const evaluation = evaluate({ rule: rule('majors_behind'), deployedVersion: '1.2.0', releases: RELEASES, tagFilter: '^(?!helm-)' });
    expect(evaluation).toMatchObject({ status: 'unknown', reason: 'tag filter "^(?!helm-)" is not a valid regular expression' });
  });

  it('a catastrophic filter over a hostile tag is evaluated, not backtracked for ever', () => {
    // Issue 13: with JavaScript's RegExp this never returned and stalled the rules-engine.
    const hostile = [...RELEASES, ...tags(`${'a'.repeat(48)}!`, 'a'.repeat(30))];
    const evaluation = evaluate({ rule: rule('majors_behind'), deployedVersion: '1.2.0', releases: hostile, tagFilter: '^(a+)+$|^v' });
    expect(evaluation).toMatchObject({ status: 'ok', latestVersion: 'v2.0.0', behindBy: 1 });
  });
});

describe('evaluateRule: unknown', () => {
  const FOURTEEN = tags(...Array.from({ length: 14 }, (_, i) => `1.2.${i}`), '1.2.99-alpine', 'latest');

  it.each<[string, string | null, readonly ReleaseCandidate[], boolean, string, string | null]>([
    ['no deployed version yet', null, FOURTEEN, true, 'no deployed version yet', null],
    ['an empty deployed version', '  ', FOURTEEN, true, 'no deployed version yet', null],
    ['a floating tag', 'latest', FOURTEEN, true, 'deployed version "latest" does not parse: no version found', null],
    ['a major-only tag', '20', FOURTEEN, true, 'deployed version "20" does not parse: a major-only tag is floating', null],
    ['a major-only variant tag', '20-alpine', FOURTEEN, true, 'deployed version "20-alpine" does not parse: a major-only tag is floating', null],
    ['a date-like number', '20260101', FOURTEEN, true, 'deployed version "20260101" does not parse: the major 20260101 has 6 or more digits', null],
    ['a date-like tag', 'jammy-20240911.1', FOURTEEN, true, 'deployed version "jammy-20240911.1" does not parse: the major 20240911 has 6 or more digits', null],
    [
      'a two-part alias of a line with only prereleases, stable only',
      'v3.1',
      [rel('v3.1'), rel('v3.1.0-rc.1')],
      true,
      'deployed version v3.1 is a moving alias of line 3.1, which has no release that stable only allows',
      null,
    ],
    [
      'a version not among the releases',
      '1.1.9',
      FOURTEEN,
      true,
      'deployed version 1.1.9 is not among the 14 gathered releases of variant ""',
      '1.2.13',
    ],
    [
      'a version newer than every release',
      '9.9.9',
      FOURTEEN,
      true,
      'deployed version 9.9.9 is not among the 14 gathered releases of variant "", and is newer than all of them',
      '1.2.13',
    ],
    [
      'no releases gathered yet',
      '1.2.0',
      [],
      true,
      'deployed version 1.2.0 is not among the gathered releases (none of variant "")',
      null,
    ],
    [
      'only prereleases gathered, deployed one of them, stable only',
      '2.0.0-rc.1',
      [rel('2.0.0-rc.1'), rel('2.0.0-rc.2')],
      true,
      'no eligible upstream release of variant "" (stable only: prereleases excluded)',
      null,
    ],
  ])('%s', (_name, deployedVersion, releases, stableOnly, reason, latestVersion) => {
    const evaluation = evaluate({ rule: rule('minors_behind', { stableOnly }), deployedVersion, releases });
    expect(evaluation).toEqual({
      status: 'unknown',
      skipped: [],
      reason: expect.stringContaining(reason),
      deployedVersion: deployedVersion?.trim() || null,
      latestVersion,
      explanation: expect.objectContaining({ stableOnly }),
    });
    expect(isViolation(evaluation)).toBe(false);
  });

  it('the same prerelease-only case evaluates when stable only is off', () => {
    const evaluation = evaluate({
      rule: rule('minors_behind', { stableOnly: false }),
      deployedVersion: '2.0.0-rc.1',
      releases: [rel('2.0.0-rc.1'), rel('2.0.0-rc.2')],
    });
    expect(evaluation).toMatchObject({ status: 'ok', latestVersion: '2.0.0-rc.2', behindBy: 0 });
  });
});

describe('isViolation', () => {
  it.each<[string, RuleDefinition, string, boolean]>([
    ['at the moderate threshold', rule('minors_behind', { moderate: 6, high: 7, critical: 8 }), '1.2.0', true],
    ['below the moderate threshold', rule('minors_behind', { moderate: 7, high: 8, critical: 9 }), '1.2.0', false],
    ['up to date', rule('minors_behind'), '1.8.0', false],
  ])('%s', (_name, ruleDefinition, deployedVersion, expected) => {
    expect(isViolation(evaluate({ rule: ruleDefinition, deployedVersion, releases: EVERY_MINOR }))).toBe(expected);
  });
});

describe('evaluateCatalogRule: a catalog stopped by its budget', () => {
  it('is unknown, saying the reading ran past the budget and how far it got, whatever the tags read so far say', () => {
    const releases = Array.from({ length: 100 }, (_, i) => rel(`v1.${i}.0`));
    const catalog = catalogReleases(releases, '^v1\\.', { overBudget: () => true });
    const evaluation = evaluateCatalogRule({ rule: rule('minors_behind'), deployedVersion: '1.0.0', catalog, now: NOW });
    expect(evaluation).toMatchObject({
      status: 'unknown',
      deployedVersion: '1.0.0',
      latestVersion: null,
      reason: 'evaluation stopped: reading the gathered tags through tag filter "^v1\\." ran past the rules-engine\'s time budget (32 of 100 tags read); a simpler tag filter fixes it',
    });
  });
});
