// Every example DESIGN.md section 4 names, and every case issue 12 lists (the table in
// test/section-4-cases.ts, which tests/e2e/section-4.test.ts also runs through the API), through
// parsing, the latest lookup and each of the three rules. Unit rows for each step are in
// versions/*.test.ts.
import { describe, expect, it } from '@jest/globals';
import { INGRESS_NGINX, releaseOf, SECTION_4_CASES, SECTION_4_NOW as NOW } from '../../test/section-4-cases.ts';
import type { CaseOptions, Ok, Section4Case, Tag, Unknown } from '../../test/section-4-cases.ts';
import { evaluateRule, RULE_TYPES } from './evaluate-rule.ts';
import type { RuleEvaluation } from './evaluate-rule.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);

function evaluateAll(tags: readonly Tag[], deployed: string, options: CaseOptions = {}): Record<string, RuleEvaluation> {
  const releases = tags.map((tag) => releaseOf(tag));
  return Object.fromEntries(
    RULE_TYPES.map((type) => [
      type,
      evaluateRule({
        rule: { type, moderate: 1, high: 2, critical: 3, stableOnly: options.stableOnly ?? true },
        deployedVersion: deployed,
        releases,
        tagFilter: options.tagFilter ?? null,
        now: NOW,
      }),
    ]),
  );
}

function check(tags: readonly Tag[], deployed: string, expected: Ok | Unknown, options?: CaseOptions): void {
  const results = evaluateAll(tags, deployed, options);
  if ('unknown' in expected) {
    for (const evaluation of Object.values(results)) {
      expect(evaluation).toMatchObject({ status: 'unknown', reason: expect.stringContaining(expected.unknown) });
      if (expected.latest !== undefined) expect(evaluation).toMatchObject({ latestVersion: expected.latest });
    }
    return;
  }
  const behind = { days_behind: expected.days, majors_behind: expected.majors, minors_behind: expected.minors };
  for (const [type, evaluation] of Object.entries(results)) {
    expect({ type, ...evaluation }).toMatchObject({
      type,
      status: 'ok',
      deployedVersion: deployed,
      latestVersion: expected.latest,
      behindBy: behind[type as keyof typeof behind],
    });
  }
}

// Test functions take `options = {}`: a default keeps their length at 4, and jest takes a declared
// parameter a row does not fill for a `done` callback, waiting for it.
describe.each(SECTION_4_CASES)('%s', (_group, cases) => {
  it.each<Section4Case>(cases)('%s', (_name, tags, deployed, expected, options = {}) => check(tags, deployed, expected, options));
});

describe('the explanation', () => {
  it('says which family and variant it compared within, what it skipped, and which date it counted from', () => {
    const releases = [...INGRESS_NGINX, 'latest', ['controller-v1.10', { seen: 10 }] as Tag].map((tag) => releaseOf(tag));
    const evaluation = evaluateRule({
      rule: { type: 'days_behind', moderate: 30, high: 60, critical: 90, stableOnly: true },
      deployedVersion: 'controller-v1.10.1',
      releases,
      now: NOW,
    });
    expect(evaluation).toMatchObject({
      status: 'ok',
      explanation: {
        family: 'controller-',
        familyChosenBy: 'deployed',
        variant: '',
        deployed: { tag: 'controller-v1.10.1', version: '1.10.1', resolvedAs: 'release' },
        latest: { tag: 'controller-v1.12.0', version: '1.12.0' },
        counted: 3,
        skipped: [
          { reason: 'unparseable', count: 1, sample: ['latest'] },
          { reason: 'other_family', count: 3, sample: ['helm-chart-4.12.0', 'helm-chart-4.11.2', 'helm-chart-4.10.1'] },
          { reason: 'line_alias', count: 1, sample: ['controller-v1.10'] },
        ],
        countedFrom: { source: 'first_seen', tag: 'controller-v1.10.1', at: daysAgo(10).toISOString() },
      },
    });
  });
});
