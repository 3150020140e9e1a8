import { describe, expect, it } from '@jest/globals';
import type { ReleaseCandidate } from '../versions/index.ts';
import { evaluateRule } from './evaluate-rule.ts';
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

describe('evaluateRule: behind-by and severity', () => {
  it.each<[string, Omit<RuleEvaluationInput, 'now'>, Partial<RuleEvaluation>]>([
    [
      'seed: 1.2 -> 1.8 with every minor released is 6 minors behind',
      { rule: rule('minors_behind', { moderate: 2, high: 4, critical: 6 }), deployedVersion: '1.2', releases: EVERY_MINOR },
      { deployedVersion: '1.2', latestVersion: 'v1.8.0', behindBy: 6, severity: 'critical' },
    ],
    [
      'seed: 1.2 with only 1.3, 1.5, 1.8 released is 3 minors behind',
      {
        rule: rule('minors_behind', { moderate: 2, high: 4, critical: 6 }),
        deployedVersion: '1.2.0',
        releases: tags('1.2.0', '1.2.1', '1.3.0', '1.5.0', '1.5.3', '1.8.0'),
      },
      { latestVersion: '1.8.0', behindBy: 3, severity: 'moderate' },
    ],
    [
      'seed: v1 -> v3 is 2 majors behind',
      { rule: rule('majors_behind'), deployedVersion: 'v1.4.0', releases: tags('v1.4.0', 'v2.0.0', 'v3.0.0', 'v3.1.2') },
      { deployedVersion: 'v1.4.0', latestVersion: 'v3.1.2', behindBy: 2, severity: 'high' },
    ],
    [
      'majors behind: none when on the latest major',
      { rule: rule('majors_behind'), deployedVersion: '3.0.0', releases: tags('v1.4.0', 'v3.0.0', 'v3.1.2') },
      { behindBy: 0, severity: null },
    ],
    [
      'seed: released 90 days ago with 30/60/90 is critical',
      {
        rule: rule('days_behind'),
        deployedVersion: '1.2.0',
        releases: [rel('v1.2.0', { published: 90 }), rel('v1.3.0', { published: 10 })],
      },
      { latestVersion: 'v1.3.0', behindBy: 90, severity: 'critical', dateSource: 'published', notes: [] },
    ],
    [
      'days behind: 89.5 days is 89 whole days, high',
      {
        rule: rule('days_behind'),
        deployedVersion: '1.2.0',
        releases: [rel('1.2.0', { published: 89.5 }), rel('1.3.0', { published: 1 })],
      },
      { behindBy: 89, severity: 'high', dateSource: 'published' },
    ],
    [
      'days behind: 0 when deployed is the latest, however old',
      {
        rule: rule('days_behind'),
        deployedVersion: 'v1.3.0',
        releases: [rel('v1.2.0', { published: 900 }), rel('v1.3.0', { published: 400 })],
      },
      { latestVersion: 'v1.3.0', behindBy: 0, severity: null, notes: [] },
    ],
    [
      'minors behind 1 below moderate 2 is no violation',
      { rule: rule('minors_behind', { moderate: 2, high: 3, critical: 4 }), deployedVersion: '1.7.0', releases: EVERY_MINOR },
      { behindBy: 1, severity: null },
    ],
    [
      'Helm chart versions: deployed chart version matched to the prefixed tag',
      {
        rule: rule('majors_behind', { moderate: 5, high: 10, critical: 13 }),
        deployedVersion: '45.7.1',
        releases: tags('kube-prometheus-stack-45.7.1', 'kube-prometheus-stack-51.0.0', 'kube-prometheus-stack-58.2.1'),
      },
      { latestVersion: 'kube-prometheus-stack-58.2.1', behindBy: 13, severity: 'critical' },
    ],
    [
      'floating and unparseable tags never count as latest',
      {
        rule: rule('majors_behind'),
        deployedVersion: '1.25.3',
        releases: tags('latest', 'stable', 'mainline', '1', '2', '20260101', 'sha-abc1234', '1.25.3', '1.27.0'),
      },
      { latestVersion: '1.27.0', behindBy: 0, severity: null },
    ],
    [
      'calendar versions',
      { rule: rule('majors_behind'), deployedVersion: '2024.01.15', releases: tags('2024.01.15', '2025.06.01', '2026.02.10') },
      { latestVersion: '2026.02.10', behindBy: 2, severity: 'high' },
    ],
    [
      'whitespace around a scraped version is trimmed',
      { rule: rule('minors_behind'), deployedVersion: '  1.6.0\n', releases: EVERY_MINOR },
      { deployedVersion: '1.6.0', behindBy: 2, severity: 'high' },
    ],
  ])('%s', (_name, input, expected) => {
    const evaluation = evaluate(input);
    expect(evaluation).toMatchObject({ status: 'ok', ...expected });
  });

  it('days behind from a release without publish date uses first seen and says so', () => {
    const evaluation = evaluate({
      rule: rule('days_behind'),
      deployedVersion: '16.2-alpine',
      releases: [rel('16.2-alpine', { firstSeen: 65 }), rel('16.3-alpine', { firstSeen: 5 }), rel('16.3'), rel('latest')],
    });
    expect(evaluation).toEqual({
      status: 'ok',
      skipped: [],
      libyear: null,
      eol: null,
      deployedVersion: '16.2-alpine',
      latestVersion: '16.3-alpine',
      behindBy: 65,
      severity: 'high',
      dateSource: 'first_seen',
      notes: [
        'release 16.2-alpine has no publish date; days are counted from when it was first gathered ' +
          `(${daysAgo(65).toISOString()})`,
      ],
      explanation: {
        family: '',
        familyChosenBy: 'deployed',
        variant: 'alpine',
        stableOnly: true,
        deployed: { tag: '16.2-alpine', version: '16.2.0-alpine', resolvedAs: 'release', carriedBy: ['16.2-alpine'] },
        latest: { tag: '16.3-alpine', version: '16.3.0-alpine' },
        counted: 2,
        skipped: [
          { reason: 'unparseable', count: 1, sample: ['latest'] },
          { reason: 'other_variant', count: 1, sample: ['16.3'] },
        ],
        countedFrom: { source: 'first_seen', tag: '16.2-alpine', at: daysAgo(65).toISOString() },
      },
    });
  });

  it('majors and minors results carry no date source; a deployed two-part version floats with its line', () => {
    const evaluation = evaluate({ rule: rule('minors_behind'), deployedVersion: '1.2', releases: EVERY_MINOR });
    expect(evaluation).toEqual({
      status: 'ok',
      skipped: [],
      libyear: null,
      eol: null,
      deployedVersion: '1.2',
      latestVersion: 'v1.8.0',
      behindBy: 6,
      severity: 'critical',
      notes: [],
      explanation: expect.objectContaining({
        deployed: { tag: 'v1.2.0', version: '1.2.0', resolvedAs: 'line_alias', carriedBy: ['v1.2.0'] },
        countedFrom: null,
      }),
    });
    const patched = evaluate({ rule: rule('minors_behind'), deployedVersion: '1.2', releases: [...EVERY_MINOR, rel('v1.2.3')] });
    expect(patched).toMatchObject({
      behindBy: 6,
      notes: ['deployed version 1.2 is a moving alias of line 1.2; taken as v1.2.3, the highest release of that line that stable only allows'],
    });
  });
});

describe('evaluateRule: variants', () => {
  const POSTGRES = [
    rel('16.2-alpine', { firstSeen: 120 }),
    rel('16.3-alpine', { firstSeen: 60 }),
    rel('16.2', { firstSeen: 120 }),
    rel('17.0', { firstSeen: 10 }),
    rel('17.0-bookworm', { firstSeen: 10 }),
    rel('17.1-alpine3.20', { firstSeen: 5 }),
    rel('18.0-beta1-alpine', { firstSeen: 2 }),
    rel('16-alpine'),
    rel('latest'),
  ];

  it.each<[string, RuleDefinition, string, Partial<RuleEvaluation>]>([
    [
      'alpine never sees 17.0 or 17.0-bookworm',
      rule('majors_behind'),
      '16.2-alpine',
      { latestVersion: '16.3-alpine', behindBy: 0 },
    ],
    [
      'alpine minors behind',
      rule('minors_behind'),
      '16.2-alpine',
      { latestVersion: '16.3-alpine', behindBy: 1, severity: 'moderate' },
    ],
    [
      'the plain variant sees 17.0',
      rule('majors_behind'),
      '16.2',
      { latestVersion: '17.0', behindBy: 1, severity: 'moderate' },
    ],
    [
      'days behind within the variant',
      rule('days_behind'),
      '16.2-alpine',
      { latestVersion: '16.3-alpine', behindBy: 120, severity: 'critical', dateSource: 'first_seen' },
    ],
    [
      'alpine prerelease counts when stable only is off',
      rule('majors_behind', { stableOnly: false }),
      '16.2-alpine',
      { latestVersion: '18.0-beta1-alpine', behindBy: 2, severity: 'high' },
    ],
  ])('%s', (_name, ruleDefinition, deployedVersion, expected) => {
    const evaluation = evaluate({ rule: ruleDefinition, deployedVersion, releases: POSTGRES });
    expect(evaluation).toMatchObject({ status: 'ok', ...expected });
  });

  it.each([
    [
      '16.2-bookworm',
      'deployed version 16.2-bookworm is not among the 1 gathered release of variant "bookworm"',
      '17.0-bookworm',
    ],
    ['16.2-slim', 'deployed version 16.2-slim is not among the gathered releases (none of variant "slim")', null],
    [
      '16.2-alpine3.19',
      'deployed version 16.2-alpine3.19 is not among the gathered releases (none of variant "alpine3.19")',
      null,
    ],
  ])('deployed %j, not gathered in its variant, is unknown', (deployedVersion, reason, latestVersion) => {
    expect(evaluate({ rule: rule('majors_behind'), deployedVersion, releases: POSTGRES })).toEqual({
      status: 'unknown',
      skipped: [],
      reason,
      deployedVersion,
      latestVersion,
      explanation: expect.objectContaining({ family: '', variant: deployedVersion.slice(5), deployed: null }),
    });
  });
});

describe('evaluateRule: stable only and prereleases', () => {
  const RELEASES = [
    rel('v1.28.0', { published: 100 }),
    rel('v1.29.0', { published: 50 }),
    rel('v1.30.0-rc.1', { published: 20 }),
    rel('v1.31.0', { published: 10, prerelease: true }), // flagged by GitHub only
    rel('v2.0.0-alpha.1', { published: 5 }),
    rel('v2.0.0-SNAPSHOT', { published: 3 }),
  ];

  it.each<[boolean, RuleDefinition['type'], string, number]>([
    [true, 'minors_behind', 'v1.29.0', 1],
    // semver orders prerelease words lexically: SNAPSHOT > alpha.1 (as Maven does)
    [false, 'minors_behind', 'v2.0.0-SNAPSHOT', 4],
    [true, 'majors_behind', 'v1.29.0', 0],
    [false, 'majors_behind', 'v2.0.0-SNAPSHOT', 1],
    [true, 'days_behind', 'v1.29.0', 100],
    [false, 'days_behind', 'v2.0.0-SNAPSHOT', 100],
  ])('stableOnly %j, %s: latest %j, behind by %j', (stableOnly, type, latest, behindBy) => {
    const evaluation = evaluate({ rule: rule(type, { stableOnly }), deployedVersion: '1.28.0', releases: RELEASES });
    expect(evaluation).toMatchObject({ status: 'ok', latestVersion: latest, behindBy });
  });

  it('a source-flagged prerelease is excluded with stable only even without a suffix', () => {
    const releases = [rel('v1.0.0'), rel('v1.1.0', { prerelease: true })];
    expect(evaluate({ rule: rule('minors_behind'), deployedVersion: '1.0.0', releases })).toMatchObject({
      latestVersion: 'v1.0.0',
      behindBy: 0,
    });
    expect(
      evaluate({ rule: rule('minors_behind', { stableOnly: false }), deployedVersion: '1.0.0', releases }),
    ).toMatchObject({ latestVersion: 'v1.1.0', behindBy: 1, severity: 'moderate' });
  });

  it('a deployed prerelease is still matched with stable only, and the result says so', () => {
    const evaluation = evaluate({ rule: rule('minors_behind'), deployedVersion: '1.30.0-rc1', releases: RELEASES });
    expect(evaluation).toEqual({
      status: 'ok',
      skipped: [],
      libyear: 0,
      eol: null,
      deployedVersion: '1.30.0-rc1',
      latestVersion: 'v1.29.0',
      behindBy: 0,
      severity: null,
      notes: [
        'deployed version 1.30.0-rc1 is a prerelease; it is compared although stable only keeps prereleases ' +
          'out of the latest lookup and the count',
      ],
      explanation: expect.objectContaining({
        deployed: expect.objectContaining({ tag: 'v1.30.0-rc.1', resolvedAs: 'release' }),
        skipped: [{ reason: 'prerelease', count: 4, sample: ['v2.0.0-SNAPSHOT', 'v2.0.0-alpha.1', 'v1.31.0', 'v1.30.0-rc.1'] }],
      }),
    });
  });

  it('Maven snapshots: deployed SNAPSHOT behind the release', () => {
    const releases = tags('0.9.0-SNAPSHOT', '0.9.0', '0.10.0', '1.0.0-SNAPSHOT');
    expect(evaluate({ rule: rule('minors_behind'), deployedVersion: '0.9.0-SNAPSHOT', releases })).toMatchObject({
      status: 'ok',
      latestVersion: '0.10.0',
      behindBy: 1,
    });
  });
});
