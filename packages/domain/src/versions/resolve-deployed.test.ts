import { describe, expect, it } from '@jest/globals';
import { parseVersionTag } from './parse-version.ts';
import { catalogReleases } from './release-catalog.ts';
import { scopeOf } from './release-scope.ts';
import { resolveDeployed } from './resolve-deployed.ts';
import type { ReleaseCandidate } from './select-latest.ts';

const FIRST_SEEN = new Date('2026-01-01T00:00:00Z');

function release(tag: string, overrides: Partial<ReleaseCandidate> = {}): ReleaseCandidate {
  return { tag, publishedAt: null, firstSeenAt: FIRST_SEEN, prerelease: false, ...overrides };
}

function resolve(deployed: string, releases: readonly ReleaseCandidate[], stableOnly = true) {
  const version = parseVersionTag(deployed);
  if (version === null) throw new Error(`${deployed} should parse`);
  return resolveDeployed(scopeOf(catalogReleases(releases), version), version, stableOnly);
}

const tagOf = (deployed: string, releases: readonly ReleaseCandidate[], stableOnly = true) => {
  const resolved = resolve(deployed, releases, stableOnly);
  return resolved.ok ? [resolved.release.release.tag, resolved.resolvedAs] : [null, resolved.problem];
};

describe('resolveDeployed: by family, version, variant and build, not by string', () => {
  const RELEASES = ['v1.2.0', 'v1.3.0', '2.0.0-rc.1', '16.2-alpine', '16.2-bookworm', 'kube-prometheus-stack-45.7.1', '0.9.0-SNAPSHOT'].map(
    (tag) => release(tag),
  );

  it.each([
    ['1.2.0', 'v1.2.0', 'release'],
    ['v1.2.0', 'v1.2.0', 'release'],
    [' 1.3.0\n', 'v1.3.0', 'release'],
    ['2.0.0-rc1', '2.0.0-rc.1', 'release'],
    ['16.2-alpine', '16.2-alpine', 'release'],
    ['16.2.0-bookworm', '16.2-bookworm', 'release'],
    ['0.9.0-snapshot', '0.9.0-SNAPSHOT', 'release'],
    // a two-part version whose line has a major.minor.patch release floats with the line
    ['1.2', 'v1.2.0', 'line_alias'],
    ['1.2.1', null, 'not_gathered'],
    ['2.0.0', null, 'not_gathered'],
    ['16.2', null, 'not_gathered'],
    ['16.2-alpine3.19', null, 'not_gathered'],
    ['1.3.0-alpine', null, 'not_gathered'],
    // a build number must match (it was ignored before section 4 named builds)
    ['1.2.0+build.9', null, 'not_gathered'],
    // another family: here two families are gathered, so no fallback
    ['45.7.1', null, 'not_gathered'],
  ])('deployed %j: %j (%s)', (deployed, expected, how) => {
    expect(tagOf(deployed, RELEASES)).toEqual([expected, how]);
  });

  it('a deployed version matches the only family there is (a manual 2.3.0 against release-2.3.0)', () => {
    expect(tagOf('2.3.0', [release('release-2.3.0'), release('release-2.4.0')])).toEqual(['release-2.3.0', 'release']);
  });

  it('matches a release the source flagged as prerelease', () => {
    expect(tagOf('3.0.0', [release('v3.0.0', { prerelease: true })])).toEqual(['v3.0.0', 'release']);
  });
});

describe('resolveDeployed: build numbers', () => {
  it.each<[string, string, string[], string | null, string]>([
    ['without a build: the release without one', '1.2.3', ['1.2.3', '1.2.3+build.1'], '1.2.3', 'release'],
    ['... unless digit-only builds make that an alias of the newest', '1.2.3', ['1.2.3', '1.2.3+1', '1.2.3+2'], '1.2.3+2', 'newest_build'],
    ['with a build: that build', '17.0-20240522', ['17.0', '17.0-20240522', '17.0-20240924'], '17.0-20240522', 'release'],
    ['with a build not gathered: none', '17.0-20240101', ['17.0', '17.0-20240522', '17.0-20240924'], null, 'not_gathered'],
    ['odoo: deployed 17.0 is its newest build', '17.0', ['17.0', '17.0-20240522', '17.0-20240924'], '17.0-20240924', 'newest_build'],
    ['odoo: also when 17.0 itself was not gathered', '17.0', ['17.0-20240522', '17.0-20240924'], '17.0-20240924', 'newest_build'],
    ['temurin: only numbered builds', '21.0.3-jdk-jammy', ['21.0.3_9-jdk-jammy', '21.0.3_10-jdk-jammy', '21.0.3_11-jre-jammy'], '21.0.3_10-jdk-jammy', 'newest_build'],
    ['temurin: the build as deployed', '21.0.3_9-jdk-jammy', ['21.0.3_9-jdk-jammy', '21.0.3_10-jdk-jammy'], '21.0.3_9-jdk-jammy', 'release'],
    ['k3s: any build counts when the version has no build-less release', '1.29.3', ['v1.29.3+k3s1', 'v1.29.3+k3s2'], 'v1.29.3+k3s2', 'newest_build'],
    ['Java GA naming', 'jdk-21+35', ['jdk-21+35', 'jdk-21.0.1+12'], 'jdk-21+35', 'release'],
  ])('%s', (_why, deployed, tags, expected, how) => {
    expect(tagOf(deployed, tags.map((tag) => release(tag)))).toEqual([expected, how]);
  });
});

describe('resolveDeployed: floating two-part tags', () => {
  const TRAEFIK = ['v3.1', 'v3.1.0', 'v3.1.2', 'v3.1.3-rc.1', 'v3.2.0'].map((tag) => release(tag));

  it.each<[string, string, ReleaseCandidate[], boolean, string | null, string]>([
    ['traefik v3.1: the highest release of its line', 'v3.1', TRAEFIK, true, 'v3.1.2', 'line_alias'],
    ['... a prerelease of the line when stable only is off', '3.1', TRAEFIK, false, 'v3.1.3-rc.1', 'line_alias'],
    ['a line with only prereleases under stable only: none', 'v3.1', [release('v3.1'), release('v3.1.0-rc.1')], true, null, 'alias_without_release'],
    ['... the prerelease with stable only off', 'v3.1', [release('v3.1'), release('v3.1.0-rc.1')], false, 'v3.1.0-rc.1', 'line_alias'],
    ['a two-part version no tag carries is an alias when its line has x.y.z', '3.1', [release('3.1.4'), release('3.1.0')], true, '3.1.4', 'line_alias'],
    ['Jenkins: 2.555, gathered and published before 2.555.1, is a release', '2.555', [release('2.555', { publishedAt: new Date('2025-01-01') }), release('2.555.1', { publishedAt: new Date('2025-02-01') })], true, '2.555', 'release'],
    ['PostgreSQL: 16.2 matches a deployed 16.2.0', '16.2.0', [release('16.2'), release('16.3')], true, '16.2', 'release'],
    ['... and a deployed 16.2', '16.2', [release('16.2'), release('16.3')], true, '16.2', 'release'],
    ['a two-part prerelease is never an alias', '7.4-rc2', [release('7.4-rc2'), release('7.4.0')], false, '7.4-rc2', 'release'],
  ])('%s', (_why, deployed, releases, stableOnly, expected, how) => {
    expect(tagOf(deployed, releases, stableOnly)).toEqual([expected, how]);
  });
});

describe('resolveDeployed: several tags carrying one release', () => {
  const published = new Date('2025-06-01T00:00:00Z');
  const earlier = new Date('2025-05-01T00:00:00Z');
  it.each([
    ['prefers the exact spelling', '1.2.0', [release('v1.2.0', { publishedAt: earlier }), release('1.2.0')], '1.2.0'],
    ['then the earliest date, a publish date first', '1.2.0.0', [release('1.2.0'), release('v1.2.0', { publishedAt: published })], 'v1.2.0'],
    [
      'then the earliest date',
      '1.2.0.0',
      [release('1.2.0', { publishedAt: published }), release('v1.2.0', { publishedAt: earlier })],
      'v1.2.0',
    ],
    ['then tag text', '1.2.0.0', [release('v1.2.0'), release('1.2.0')], '1.2.0'],
  ])('%s', (_why, deployed, releases, expected) => {
    expect(tagOf(deployed, releases)).toEqual([expected, 'release']);
    expect(tagOf(deployed, [...releases].reverse())).toEqual([expected, 'release']);
  });

  it('v3.0.2 and 3.0.2: both carry the release, dated by the earlier', () => {
    const resolved = resolve('3.0.2', [release('v3.0.2', { publishedAt: published }), release('3.0.2', { firstSeenAt: earlier })]);
    expect(resolved).toMatchObject({
      ok: true,
      resolvedAs: 'release',
      carriedBy: ['3.0.2', 'v3.0.2'],
      release: { release: { tag: '3.0.2' }, dated: { at: earlier, source: 'first_seen', tag: '3.0.2' } },
    });
  });
});
