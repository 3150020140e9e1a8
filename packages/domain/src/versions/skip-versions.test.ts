import { describe, expect, it } from '@jest/globals';
import { applySkipVersions, parseSkipVersions } from './skip-versions.ts';
import type { ReleaseCandidate } from './select-latest.ts';

const at = new Date('2026-01-01T00:00:00Z');
const releases = (...tags: string[]): ReleaseCandidate[] => tags.map((tag) => ({ tag, publishedAt: at, firstSeenAt: at, prerelease: false }));

describe('parseSkipVersions', () => {
  it.each([
    ['one version', '2.5.0'],
    ['one version with a v', 'v2.5.0'],
    ['a range', '>=3.0.0 <3.0.2'],
    ['a range with extra spaces', '  >3.0.0   <=3.1  '],
    ['an exact comparator', '=1.2.3-rc.1'],
  ])('reads %s', (_name, text) => {
    expect(parseSkipVersions(text).ok).toBe(true);
  });

  it.each([
    ['nothing', '   ', /must name a version/],
    ['a major-only version (a floating tag in the grammar)', '3', /"3" is not a version/],
    ['a caret range (not in the grammar)', '^3.0.0', /"\^3.0.0" is not a version/],
    ['a range with a bad bound', '>=3.0.0 <banana', /"<banana" is not a version/],
    ['too many comparators', '>1.0 >1.1 >1.2 >1.3 >1.4 >1.5 >1.6 >1.7 >1.8', /at most 8/],
  ])('refuses %s', (_name, text, message) => {
    const parsed = parseSkipVersions(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

describe('applySkipVersions', () => {
  const tags = releases('v2.4.0', 'v2.5.0', '2.5.0-alpine', 'v3.0.0', 'v3.0.1', 'v3.0.2', 'v3.0.2-rc.1', 'latest');
  it.each([
    ['no skip entries keep everything', [], null, [], tags.length],
    ['one version skips it in every variant and prefix', [{ versions: '2.5.0', reason: 'broken' }], null, ['v2.5.0', '2.5.0-alpine'], 6],
    ['a range skips what lies in it (a prerelease of the upper bound included)', [{ versions: '>=3.0.0 <3.0.2', reason: 'regression' }], null, ['v3.0.0', 'v3.0.1', 'v3.0.2-rc.1'], 5],
    ['the deployed release is kept even when skipped', [{ versions: '>=3.0.0 <3.0.2', reason: 'regression' }], '3.0.1', ['v3.0.0', 'v3.0.2-rc.1'], 6],
    ['an entry that does not parse skips nothing', [{ versions: '^3', reason: 'x' }], null, [], tags.length],
  ])('%s', (_name, skips, deployed, skippedTags, kept) => {
    const result = applySkipVersions(tags, skips, deployed);
    expect(result.skipped.map((entry) => entry.tag)).toEqual(skippedTags);
    expect(result.releases).toHaveLength(kept);
    for (const entry of result.skipped) expect(entry.reason).toBe(skips[0]!.reason);
  });
});
