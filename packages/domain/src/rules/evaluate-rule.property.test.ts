// Adding a release of another family or variant never changes an answer (fast-check).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ReleaseCandidate } from '../versions/index.ts';
import { evaluateRule, RULE_TYPES } from './evaluate-rule.ts';
import type { RuleEvaluation, RuleType } from './evaluate-rule.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

// Small numbers and few shapes, so that lines, aliases, builds and shared releases come up often.
const core = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })).map(([a, b, c]) => `${a}.${b}.${c}`),
);
const suffix = fc.constantFrom('', '', '', '-rc.1', '-rc.2', '-5', '-20240522', '_9', '+b.1');

/** A tag of the `v` family (`v` or no prefix) and the given variant. */
const tagOf = (variant: string) =>
  fc.tuple(fc.constantFrom('', 'v'), core, suffix).map(([prefix, version, end]) => {
    const withVariant = variant === '' ? version : `${version}-${variant}`;
    // `_9` stands right after the version; `+build` runs to the end of the tag.
    return end.startsWith('_') ? `${prefix}${version}${end}${variant === '' ? '' : `-${variant}`}` : `${prefix}${withVariant}${end}`;
  });

const release = (tag: fc.Arbitrary<string>): fc.Arbitrary<ReleaseCandidate> =>
  fc.record({
    tag,
    publishedAt: fc.option(fc.integer({ min: 0, max: 400 }).map(daysAgo)),
    firstSeenAt: fc.integer({ min: 0, max: 400 }).map(daysAgo),
    prerelease: fc.boolean(),
  });

/** Another family (a named prefix) or another variant than the deployed version's. */
const outsider = (deployedVariant: string) =>
  fc.oneof(
    release(fc.tuple(fc.constantFrom('helm-chart-', 'controller-v', 'api/v', 'release-'), tagOf(deployedVariant)).map(([prefix, tag]) => prefix + tag.replace(/^v/, ''))),
    release(tagOf(deployedVariant === 'alpine' ? 'bookworm' : 'alpine')),
    release(fc.constantFrom('latest', '3', 'jammy-20240911.1', 'helm-chart-9.9', 'v9.9-slim')),
  );

const scenario = fc.constantFrom('', 'alpine').chain((variant) =>
  fc.record({
    variant: fc.constant(variant),
    // At least one release of the deployed version's family, so the family is its own.
    releases: fc.array(release(fc.oneof(tagOf(variant), tagOf(variant === '' ? 'alpine' : ''))), { minLength: 1, maxLength: 12 }).chain((list) =>
      release(tagOf(variant)).map((own) => [own, ...list]),
    ),
    deployed: tagOf(variant),
    added: fc.array(outsider(variant), { minLength: 1, maxLength: 3 }),
    at: fc.nat(),
    stableOnly: fc.boolean(),
  }),
);

/** The answer, less what is expected to change: the skipped tags and the count. */
function answer(evaluation: RuleEvaluation): unknown {
  const { explanation, ...rest } = evaluation;
  const { skipped: _skipped, counted: _counted, ...compared } = explanation;
  return { ...rest, explanation: compared };
}

function evaluate(type: RuleType, releases: readonly ReleaseCandidate[], deployed: string, stableOnly: boolean): RuleEvaluation {
  return evaluateRule({ rule: { type, moderate: 1, high: 2, critical: 3, stableOnly }, deployedVersion: deployed, releases, now: NOW });
}

describe('adding a release of another family or variant never changes an answer', () => {
  it.each(RULE_TYPES)('%s', (type) => {
    fc.assert(
      fc.property(scenario, ({ releases, deployed, added, at, stableOnly }) => {
        const before = evaluate(type, releases, deployed, stableOnly);
        const index = at % (releases.length + 1);
        const after = evaluate(type, [...releases.slice(0, index), ...added, ...releases.slice(index)], deployed, stableOnly);
        expect(answer(after)).toEqual(answer(before));
      }),
      { numRuns: 1500 },
    );
  });

  it('the scenarios reach ok answers, aliases and builds, not only unknowns', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenario, ({ releases, deployed, stableOnly }) => {
        const evaluation = evaluate('minors_behind', releases, deployed, stableOnly);
        seen.add(evaluation.status);
        if (evaluation.status === 'ok') seen.add(evaluation.explanation.deployed?.resolvedAs ?? '');
        if (evaluation.status === 'ok' && evaluation.behindBy > 0) seen.add('behind');
      }),
      { numRuns: 1500 },
    );
    expect([...seen].sort()).toEqual(['behind', 'line_alias', 'newest_build', 'ok', 'release', 'unknown']);
  });
});
