import { describe, expect, it } from '@jest/globals';
import {
  compileTagFilter,
  eligibleReleases,
  findDeployedRelease,
  parseReleases,
  releaseDate,
  selectLatest,
} from './select-latest.ts';
import type { ReleaseCandidate } from './select-latest.ts';

const FIRST_SEEN = new Date('2026-01-01T00:00:00Z');

function release(tag: string, overrides: Partial<ReleaseCandidate> = {}): ReleaseCandidate {
  return { tag, publishedAt: null, firstSeenAt: FIRST_SEEN, prerelease: false, ...overrides };
}

const tagsOf = (releases: readonly { release: ReleaseCandidate }[]) => releases.map((r) => r.release.tag);

/** A realistic OCI tag list for postgres: floating tags, variants, a digest-ish tag. */
const POSTGRES = [
  'latest',
  '16',
  '16-alpine',
  '16.2',
  '16.2-alpine',
  '16.2-alpine3.19',
  '16.2-bookworm',
  '16.3',
  '16.3-alpine',
  '17',
  '17.0',
  '17.0-bookworm',
  '17.1-alpine3.20',
  '18beta1',
  '18.0-beta1-alpine',
  'sha-abc1234',
].map((tag) => release(tag));

describe('compileTagFilter', () => {
  it.each([
    [null, null],
    [undefined, null],
    ['', null],
    ['^v\\d+\\.\\d+\\.\\d+$', '^v\\d+\\.\\d+\\.\\d+$'],
  ])('compiles %j', (filter, source) => {
    const compiled = compileTagFilter(filter);
    expect(compiled.ok).toBe(true);
    expect(compiled.ok && compiled.regex?.source).toBe(source ?? undefined);
  });

  it.each([['(unclosed'], ['[a-'], ['*v']])('reports %j as invalid without throwing', (filter) => {
    const compiled = compileTagFilter(filter);
    expect(compiled.ok).toBe(false);
    expect(!compiled.ok && compiled.error).toMatch(/regular expression/i);
  });
});

describe('parseReleases', () => {
  it('drops tags that do not parse, keeping their order', () => {
    expect(tagsOf(parseReleases(POSTGRES))).toEqual([
      '16.2',
      '16.2-alpine',
      '16.2-alpine3.19',
      '16.2-bookworm',
      '16.3',
      '16.3-alpine',
      '17.0',
      '17.0-bookworm',
      '17.1-alpine3.20',
      '18.0-beta1-alpine',
    ]);
  });

  it.each([
    ['^v1\\.', ['v1.28.0', 'v1.29.0-rc.1']],
    ['^kube-prometheus-stack-', ['kube-prometheus-stack-45.7.1']],
    ['alpine', ['1.25.3-alpine']],
    ['(unclosed', []],
    [null, ['v1.28.0', 'v1.29.0-rc.1', 'v2.0.0', 'kube-prometheus-stack-45.7.1', '1.25.3-alpine']],
  ])('applies the tag filter %j before parsing', (tagFilter, expected) => {
    const releases = ['v1.28.0', 'v1.29.0-rc.1', 'v2.0.0', 'kube-prometheus-stack-45.7.1', '1.25.3-alpine', 'latest'].map(
      (tag) => release(tag),
    );
    expect(tagsOf(parseReleases(releases, tagFilter))).toEqual(expected);
  });

  it('carries the source prerelease flag into the parsed version', () => {
    const [parsed] = parseReleases([release('v1.30.0', { prerelease: true })]);
    expect(parsed?.version).toMatchObject({ prerelease: null, isPrerelease: true });
  });
});

describe('eligibleReleases and selectLatest', () => {
  it.each([
    // variant isolation: alpine never sees bookworm, plain or alpine3.x tags
    ['', false, '17.0'],
    ['alpine', false, '18.0-beta1-alpine'],
    ['alpine', true, '16.3-alpine'],
    ['bookworm', true, '17.0-bookworm'],
    ['alpine3.19', true, '16.2-alpine3.19'],
    ['alpine3.20', true, '17.1-alpine3.20'],
    ['slim', true, null],
  ])('variant %j, stableOnly %j: latest is %j', (variant, stableOnly, expected) => {
    const eligible = eligibleReleases(parseReleases(POSTGRES), { variant, stableOnly });
    expect(eligible.every((r) => r.version.variant === variant)).toBe(true);
    expect(selectLatest(eligible)?.release.tag ?? null).toBe(expected);
  });

  const GITHUB = [
    release('v1.28.4', { publishedAt: new Date('2025-11-01T00:00:00Z') }),
    release('v1.29.0', { publishedAt: new Date('2025-12-01T00:00:00Z') }),
    release('v1.30.0-rc.1', { prerelease: true }),
    release('v1.30.0-beta.0'),
    release('v1.31.0', { prerelease: true }), // flagged by the source only
    release('nightly'),
  ];

  it.each([
    [false, 'v1.31.0', ['v1.28.4', 'v1.29.0', 'v1.30.0-rc.1', 'v1.30.0-beta.0', 'v1.31.0']],
    [true, 'v1.29.0', ['v1.28.4', 'v1.29.0']],
  ])('GitHub releases with stableOnly %j: latest %j', (stableOnly, latest, eligibleTags) => {
    const eligible = eligibleReleases(parseReleases(GITHUB), { variant: '', stableOnly });
    expect(tagsOf(eligible)).toEqual(eligibleTags);
    expect(selectLatest(eligible)?.release.tag).toBe(latest);
  });

  it('prefers a release over its prerelease and orders rc10 above rc2', () => {
    const parsed = parseReleases(['2.0.0-rc2', '2.0.0-rc10', '1.9.9'].map((tag) => release(tag)));
    expect(selectLatest(parsed)?.release.tag).toBe('2.0.0-rc10');
    const withRelease = parseReleases(['2.0.0-rc2', '2.0.0', '2.0.0-rc10'].map((tag) => release(tag)));
    expect(selectLatest(withRelease)?.release.tag).toBe('2.0.0');
  });

  it.each([
    [['v1.2.0', '1.2.0'], '1.2.0'],
    [['1.2.0', 'v1.2.0'], '1.2.0'],
    [['v1.2', '1.2.0+build.7', 'v1.2.0'], '1.2.0+build.7'],
    [['1.0.0-RC1', '1.0.0-rc1'], '1.0.0-RC1'],
  ])('breaks ties among %j by tag text whatever the order: %j', (tags, expected) => {
    expect(selectLatest(parseReleases(tags.map((tag) => release(tag))))?.release.tag).toBe(expected);
    expect(selectLatest(parseReleases([...tags].reverse().map((tag) => release(tag))))?.release.tag).toBe(expected);
  });

  it('returns null for no releases', () => {
    expect(selectLatest([])).toBeNull();
  });
});

describe('findDeployedRelease', () => {
  const RELEASES = parseReleases(
    [
      'v1.2.0',
      'v1.3.0',
      '2.0.0-rc.1',
      '16.2-alpine',
      '16.2-bookworm',
      'kube-prometheus-stack-45.7.1',
      '0.9.0-SNAPSHOT',
    ].map((tag) => release(tag)),
  );

  it.each([
    ['1.2.0', 'v1.2.0'],
    ['1.2', 'v1.2.0'],
    ['v1.2.0', 'v1.2.0'],
    ['1.2.0+build.9', 'v1.2.0'],
    [' 1.3.0\n', 'v1.3.0'],
    ['2.0.0-rc1', '2.0.0-rc.1'],
    ['16.2-alpine', '16.2-alpine'],
    ['16.2.0-bookworm', '16.2-bookworm'],
    ['45.7.1', 'kube-prometheus-stack-45.7.1'],
    ['0.9.0-snapshot', '0.9.0-SNAPSHOT'],
    ['1.2.1', null],
    ['2.0.0', null],
    ['16.2', null],
    ['16.2-alpine3.19', null],
    ['1.3.0-alpine', null],
    ['latest', null],
    ['20', null],
  ])('deployed %j matches %j', (deployed, expected) => {
    expect(findDeployedRelease(deployed, RELEASES)?.release.tag ?? null).toBe(expected);
  });

  const published = new Date('2025-06-01T00:00:00Z');
  const earlier = new Date('2025-05-01T00:00:00Z');
  it.each([
    ['prefers the exact spelling', '1.2.0', [release('v1.2.0', { publishedAt: earlier }), release('1.2.0')], '1.2.0'],
    ['then a publish date', '1.2', [release('1.2.0'), release('v1.2.0', { publishedAt: published })], 'v1.2.0'],
    [
      'then the earliest date',
      '1.2',
      [release('1.2.0', { publishedAt: published }), release('v1.2.0', { publishedAt: earlier })],
      'v1.2.0',
    ],
    ['then tag text', '1.2', [release('v1.2.0'), release('1.2.0')], '1.2.0'],
  ])('among several matching tags, %s', (_why, deployed, releases, expected) => {
    expect(findDeployedRelease(deployed, parseReleases(releases))?.release.tag).toBe(expected);
    expect(findDeployedRelease(deployed, parseReleases([...releases].reverse()))?.release.tag).toBe(expected);
  });

  it('matches a release the source flagged as prerelease', () => {
    const releases = parseReleases([release('v3.0.0', { prerelease: true })]);
    expect(findDeployedRelease('3.0.0', releases)?.release.tag).toBe('v3.0.0');
  });
});

describe('releaseDate', () => {
  it.each([
    [new Date('2025-03-01T00:00:00Z'), new Date('2025-03-01T00:00:00Z')],
    [null, FIRST_SEEN],
  ])('publishedAt %j gives %j', (publishedAt, expected) => {
    expect(releaseDate(release('1.0.0', { publishedAt }))).toEqual(expected);
  });
});
