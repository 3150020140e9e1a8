import { describe, expect, it } from '@jest/globals';
import { compareReleases } from './compare-versions.ts';
import { catalogReleases } from './release-catalog.ts';
import type { ReleaseCandidate } from './select-latest.ts';
import { SKIP_REASONS, SKIP_REASON_MESSAGES, SKIP_SAMPLE_SIZE, summarizeSkippedTags } from './skipped-tags.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const rel = (tag: string, seenDay = 0, prerelease = false): ReleaseCandidate => ({
  tag,
  publishedAt: null,
  firstSeenAt: new Date(T0.getTime() + seenDay * 86_400_000),
  prerelease,
});

describe('summarizeSkippedTags', () => {
  const RELEASES = [
    rel('v1.2.0'),
    rel('v1.3.0'),
    rel('v1.3'), // a line alias: gathered with v1.3.0
    rel('v1.4.0-rc.1'),
    rel('v1.4.0', 0, true), // flagged by the source
    rel('1.3.0-alpine'),
    rel('helm-chart-4.12.0'),
    rel('latest'),
    rel('1'),
    rel('jammy-20240911.1'),
    rel('nightly-build'),
    rel('v1.1.0'),
  ];

  it('gives each skipped tag its first reason, in a fixed order, and counts the rest', () => {
    const catalog = catalogReleases(RELEASES, '^([^n]|n[^i])');
    expect(summarizeSkippedTags(catalog, { family: '', variant: '' }, true)).toEqual({
      skipped: [
        { reason: 'tag_filter', count: 1, sample: ['nightly-build'] },
        { reason: 'major_only', count: 1, sample: ['1'] },
        { reason: 'date_like', count: 1, sample: ['jammy-20240911.1'] },
        { reason: 'unparseable', count: 1, sample: ['latest'] },
        { reason: 'other_family', count: 1, sample: ['helm-chart-4.12.0'] },
        { reason: 'other_variant', count: 1, sample: ['1.3.0-alpine'] },
        { reason: 'line_alias', count: 1, sample: ['v1.3'] },
        { reason: 'prerelease', count: 2, sample: ['v1.4.0', 'v1.4.0-rc.1'] },
      ],
      counted: 3,
    });
  });

  it('with stable only off, prereleases count', () => {
    const { skipped, counted } = summarizeSkippedTags(catalogReleases(RELEASES), { family: '', variant: '' }, false);
    expect(skipped.map(({ reason }) => reason)).not.toContain('prerelease');
    expect(counted).toBe(5);
  });

  it('without a scope, names only what does not depend on one', () => {
    const { skipped, counted } = summarizeSkippedTags(catalogReleases(RELEASES), null, true);
    expect(skipped.map(({ reason }) => reason)).toEqual(['major_only', 'date_like', 'unparseable']);
    expect(counted).toBe(0);
  });

  it('stays small for 20,000 tags: a count, and the highest versions as the sample', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => rel(`${1 + (i % 40)}.${i % 97}.${i % 13}-bookworm`));
    const { skipped } = summarizeSkippedTags(catalogReleases([...many, rel('1.0.0')]), { family: '', variant: '' }, true);
    const highest = catalogReleases(many)
      .parsed.sort((a, b) => compareReleases(b.version, a.version) || (a.release.tag < b.release.tag ? -1 : 1))
      .slice(0, SKIP_SAMPLE_SIZE)
      .map((entry) => entry.release.tag);
    expect(skipped).toEqual([{ reason: 'other_variant', count: 20_000, sample: highest }]);
    expect(highest).toHaveLength(SKIP_SAMPLE_SIZE);
  });

  it('names unparseable tags most recent first', () => {
    const catalog = catalogReleases([rel('latest', 1), rel('stable', 9), rel('edge', 5)]);
    expect(summarizeSkippedTags(catalog, null, true).skipped).toEqual([{ reason: 'unparseable', count: 3, sample: ['stable', 'edge', 'latest'] }]);
  });

  it('has a message for every reason', () => {
    expect(Object.keys(SKIP_REASON_MESSAGES).sort()).toEqual([...SKIP_REASONS].sort());
  });
});
