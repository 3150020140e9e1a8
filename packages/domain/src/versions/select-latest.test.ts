import { describe, expect, it } from '@jest/globals';
import { catalogReleases } from './release-catalog.ts';
import { eligibleReleases, scopeOf } from './release-scope.ts';
import { parseVersionTag } from './parse-version.ts';
import { compileTagFilter, releaseDate, selectLatest } from './select-latest.ts';
import type { ReleaseCandidate } from './select-latest.ts';

const FIRST_SEEN = new Date('2026-01-01T00:00:00Z');

function release(tag: string, overrides: Partial<ReleaseCandidate> = {}): ReleaseCandidate {
  return { tag, publishedAt: null, firstSeenAt: FIRST_SEEN, prerelease: false, ...overrides };
}

const tagsOf = (releases: readonly { release: ReleaseCandidate }[]) => releases.map((r) => r.release.tag);

/** The latest eligible release for a deployed version, through the catalog and its scope. */
function latestFor(releases: readonly ReleaseCandidate[], deployed: string, stableOnly: boolean) {
  const version = parseVersionTag(deployed);
  if (version === null) throw new Error(`${deployed} should parse`);
  const eligible = eligibleReleases(scopeOf(catalogReleases(releases), version), stableOnly);
  return { eligible, latest: selectLatest(eligible) };
}

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

describe('selectLatest within a family and variant', () => {
  it.each([
    // variant isolation: alpine never sees bookworm, plain or alpine3.x tags
    ['16.2', false, '17.0'],
    ['16.2-alpine', false, '18.0-beta1-alpine'],
    ['16.2-alpine', true, '16.3-alpine'],
    ['16.2-bookworm', true, '17.0-bookworm'],
    ['16.2-alpine3.19', true, '16.2-alpine3.19'],
    ['16.2-alpine3.20', true, '17.1-alpine3.20'],
    ['16.2-slim', true, null],
  ])('deployed %j, stableOnly %j: latest is %j', (deployed, stableOnly, expected) => {
    const { eligible, latest } = latestFor(POSTGRES, deployed, stableOnly);
    const variant = parseVersionTag(deployed)?.variant;
    expect(eligible.every((r) => r.version.variant === variant)).toBe(true);
    expect(latest?.release.tag ?? null).toBe(expected);
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
    const result = latestFor(GITHUB, '1.28.4', stableOnly);
    expect(tagsOf(result.eligible)).toEqual(eligibleTags);
    expect(result.latest?.release.tag).toBe(latest);
  });

  it('prefers a release over its prerelease and orders rc10 above rc2', () => {
    expect(latestFor(['2.0.0-rc2', '2.0.0-rc10', '1.9.9'].map((tag) => release(tag)), '1.9.9', false).latest?.release.tag).toBe('2.0.0-rc10');
    expect(latestFor(['2.0.0-rc2', '2.0.0', '2.0.0-rc10'].map((tag) => release(tag)), '2.0.0', false).latest?.release.tag).toBe('2.0.0');
  });

  it.each([
    [['v1.2.0', '1.2.0'], '1.2.0'],
    [['1.2.0', 'v1.2.0'], '1.2.0'],
    [['1.0.0-RC1', '1.0.0-rc1'], '1.0.0-RC1'],
    // section 4: then the highest build number
    [['v1.2.0', '1.2.0+build.7', '1.2.0+build.10'], '1.2.0+build.10'],
    [['17.0-20240522', '17.0-20240924', '16.0-20250101'], '17.0-20240924'],
  ])('among %j the latest is %j whatever the order', (tags, expected) => {
    const releases = tags.map((tag) => release(tag));
    expect(latestFor(releases, tags[0] ?? '', false).latest?.release.tag).toBe(expected);
    expect(latestFor([...releases].reverse(), tags[0] ?? '', false).latest?.release.tag).toBe(expected);
  });

  it('returns null for no releases', () => {
    expect(selectLatest([])).toBeNull();
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
