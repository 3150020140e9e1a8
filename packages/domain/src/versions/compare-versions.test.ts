import { describe, expect, it } from '@jest/globals';
import { compareBuilds, compareLines, compareReleases, compareVersions, isSameVersion, releaseKey, versionLine } from './compare-versions.ts';
import { parseVersionTag } from './parse-version.ts';
import type { ParsedVersion } from './parse-version.ts';

function parse(tag: string): ParsedVersion {
  const parsed = parseVersionTag(tag);
  if (parsed === null) throw new Error(`test tag ${tag} should parse`);
  return parsed;
}

describe('compareVersions', () => {
  it.each([
    // core precedence
    ['1.2.3', '1.2.4', -1],
    ['1.2.10', '1.2.9', 1],
    ['1.10.0', '1.9.9', 1],
    ['2.0.0', '1.99.99', 1],
    ['0.10.0', '0.9.0', 1],
    ['2024.01.15', '2024.02.01', -1],
    ['2024.12.01', '2025.01.01', -1],
    // equal precedence whatever the spelling
    ['v1.2.0', '1.2.0', 0],
    ['1.2', '1.2.0', 0],
    ['1.2.0+build.1', '1.2.0+build.2', 0],
    ['release-1.2.3', 'my-chart-1.2.3', 0],
    ['16.2-alpine', '16.2', 0],
    // extra components after the patch
    ['1.2.3.4', '1.2.3', 1],
    ['1.2.3.0', '1.2.3', 0],
    ['1.2.3.10', '1.2.3.9', 1],
    ['1.2.4', '1.2.3.99', 1],
    // prereleases rank below their release
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-SNAPSHOT', '1.0.0', -1],
    ['1.0.0-rc.1', '0.9.9', 1],
    ['v1.29.0-rc.0', 'v1.28.4', 1],
    ['7.4-rc2-alpine', '7.4-alpine', -1],
    // prerelease identifiers: numbers numerically, natural order inside `rc10`
    ['1.0.0-rc2', '1.0.0-rc10', -1],
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['1.0.0-beta2', '1.0.0-beta11', -1],
    ['1.0.0-rc.1', '1.0.0-rc1', 0],
    ['1.0.0-RC1', '1.0.0-rc1', 0],
    ['1.0.0-rc-1', '1.0.0-rc.2', -1],
    ['1.0.0-rc', '1.0.0-rc1', -1],
    ['2.0.0-nightly.20260101', '2.0.0-nightly.20260102', -1],
    // semver's own example ordering
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta', '1.0.0-beta.2', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-beta.11', '1.0.0-rc.1', -1],
    // section 4: within a prerelease the numbers compare numerically
    ['1.0.0-rc.9', '1.0.0-rc.12', -1],
    ['2.0.0-nightly.20260101000000000001', '2.0.0-nightly.20260101000000000002', -1],
    // section 4: a glued keyword is a prerelease like any other
    ['1.23rc1', '1.23.0', -1],
    ['1.23rc1', '1.23.0-rc.1', 0],
    ['8.4.0alpha1', '8.4.0-alpha.2', -1],
    // section 4: a prerelease keyword anywhere in the suffix
    ['11.7.1-noble-rc', '11.7.1-noble', -1],
    // Java's GA naming compares as major.0.0
    ['jdk-21+35', 'jdk-21.0.1+12', -1],
    ['jdk-21+35', '21.0.0', 0],
    // section 4: a two-part release compares as major.minor.0 (Jenkins' weekly before its LTS)
    ['2.555', '2.555.1', -1],
    ['16.2', '16.2.0', 0],
  ])('%j vs %j is %j', (a, b, expected) => {
    expect(compareVersions(parse(a), parse(b))).toBe(expected);
    expect(compareVersions(parse(b), parse(a))).toBe(-expected || 0);
  });

  it('sorts a shuffled list into semver order', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0-rc2',
      '1.1.0-rc10',
      '1.1.0',
      '1.10.0',
      '2.0.0',
    ];
    const shuffled = [
      '1.1.0-rc10',
      '1.0.0',
      '2.0.0',
      '1.0.0-beta.11',
      '1.0.0-alpha.beta',
      '1.10.0',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '1.1.0',
      '1.0.0-beta',
      '1.0.1',
      '1.1.0-rc2',
      '1.0.0-beta.2',
      '1.0.0-alpha.1',
    ];
    expect([...shuffled].sort()).toEqual([...ordered].sort());
    const sorted = shuffled.map(parse).sort(compareVersions).map((version) => version.tag);
    expect(sorted).toEqual(ordered);
  });

  it('ignores the source prerelease flag for precedence', () => {
    const flagged = parseVersionTag('1.2.0', { sourcePrerelease: true });
    if (flagged === null) throw new Error('should parse');
    expect(compareVersions(flagged, parse('1.2.0'))).toBe(0);
  });
});

describe('compareReleases: build numbers', () => {
  it.each([
    // section 4: the higher numeric build is the newer release of the same version
    ['17.0-20240522', '17.0-20240924', -1],
    ['21.0.3_9-jdk-jammy', '21.0.3_10-jdk-jammy', -1],
    ['3.9.5-0', '3.9.5-1', -1],
    ['jdk-21.0.3+9', 'jdk-21.0.3+10', -1],
    ['1.2.3+build.5', '1.2.3+build.7', -1],
    ['v1.29.3+k3s1', 'v1.29.3+k3s2', -1],
    // a build-less release ranks below its builds; builds never outrank a higher version
    ['1.2.3', '1.2.3+1', -1],
    ['17.0-20240924', '17.1-20240101', -1],
    ['1.2.3_99', '1.2.4', -1],
    // the same release whatever the spelling
    ['v3.0.2', '3.0.2', 0],
    ['1.2', '1.2.0', 0],
    ['1.2.3_9', '1.2.3+9', 0],
    ['1.2.3+09', '1.2.3+9', 0],
    ['1.0.0-rc.1', '1.0.0-RC1', 0],
  ])('%j vs %j is %j', (a, b, expected) => {
    expect(compareReleases(parse(a), parse(b))).toBe(expected);
    expect(compareReleases(parse(b), parse(a))).toBe(-expected || 0);
    expect(releaseKey(parse(a)) === releaseKey(parse(b))).toBe(expected === 0);
  });

  it('compareVersions treats builds of one version as one version (majors and minors behind)', () => {
    expect(compareVersions(parse('17.0-20240522'), parse('17.0-20240924'))).toBe(0);
    expect(compareVersions(parse('21.0.3_9-jdk-jammy'), parse('21.0.3-jdk-jammy'))).toBe(0);
  });

  it.each([
    [null, null, 0],
    [null, '0', -1],
    ['9', '10', -1],
    ['10', '9', 1],
    ['b2', 'b10', -1],
    ['20240924', '20240522', 1],
  ])('compareBuilds(%j, %j) is %j', (a, b, expected) => {
    expect(compareBuilds(a, b)).toBe(expected);
  });
});

describe('isSameVersion', () => {
  it.each([
    ['v1.2.0', '1.2', true],
    ['1.2.0+b5', '1.2.0', true],
    ['1.2.0-rc.1', '1.2.0', false],
    ['1.2.1', '1.2.0', false],
  ])('%j and %j: %j', (a, b, expected) => {
    expect(isSameVersion(parse(a), parse(b))).toBe(expected);
  });
});

describe('version lines', () => {
  it.each([
    ['v1.8.3-alpine', '1.8'],
    ['2024.01.15', '2024.1'],
    ['1.2', '1.2'],
    ['0.10.0-rc.1', '0.10'],
  ])('line of %j is %j', (tag, line) => {
    expect(versionLine(parse(tag))).toBe(line);
  });

  it.each([
    ['1.2.9', '1.2.0', 0],
    ['1.3.0-rc.1', '1.2.9', 1],
    ['1.10.0', '1.9.5', 1],
    ['1.9.0', '2.0.0', -1],
    ['2.0.0', '1.99.0', 1],
  ])('line of %j vs line of %j is %j', (a, b, expected) => {
    expect(compareLines(parse(a), parse(b))).toBe(expected);
  });
});
