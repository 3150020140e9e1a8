import { describe, expect, it } from '@jest/globals';
import { formatVersion, parseVersionTag } from './parse-version.ts';

type Expected = {
  major: number;
  minor: number;
  patch: number;
  extra?: number[];
  prerelease?: string | null;
  variant?: string;
  build?: string | null;
};

const v = (major: number, minor: number, patch: number, rest: Omit<Expected, 'major' | 'minor' | 'patch'> = {}) => ({
  major,
  minor,
  patch,
  extra: rest.extra ?? [],
  prerelease: rest.prerelease ?? null,
  variant: rest.variant ?? '',
  build: rest.build ?? null,
});

describe('parseVersionTag', () => {
  it.each([
    // plain and prefixed releases (GitHub, Helm charts, Git tags)
    ['1.2.3', v(1, 2, 3)],
    ['v1.29.0', v(1, 29, 0)],
    ['V2.0.1', v(2, 0, 1)],
    ['1.2', v(1, 2, 0)],
    ['v1.2', v(1, 2, 0)],
    ['release-1.2.3', v(1, 2, 3)],
    ['release-v1.4.0', v(1, 4, 0)],
    ['my-chart-1.2.3', v(1, 2, 3)],
    ['kube-prometheus-stack-45.7.1', v(45, 7, 1)],
    ['jenkins-2.440.1', v(2, 440, 1)],
    ['nginx-1.25.3', v(1, 25, 3)],
    ['chart-v0.3.0', v(0, 3, 0)],
    ['kubernetes-1.30.2', v(1, 30, 2)],
    ['python3.11-1.2.3', v(1, 2, 3)],
    // calendar style, leading zeros, extra components
    ['2024.01.15', v(2024, 1, 15)],
    ['01.02.03', v(1, 2, 3)],
    ['1.2.3.4', v(1, 2, 3, { extra: [4] })],
    ['2024.1.15.1', v(2024, 1, 15, { extra: [1] })],
    ['1.2.3.4.5', v(1, 2, 3, { extra: [4, 5] })],
    // prereleases
    ['v1.29.0-rc.0', v(1, 29, 0, { prerelease: 'rc.0' })],
    ['1.0.0-rc.1', v(1, 0, 0, { prerelease: 'rc.1' })],
    ['7.4-rc2', v(7, 4, 0, { prerelease: 'rc2' })],
    ['2.0.0-beta2', v(2, 0, 0, { prerelease: 'beta2' })],
    ['0.9.0-SNAPSHOT', v(0, 9, 0, { prerelease: 'SNAPSHOT' })],
    ['1.0.0-alpha', v(1, 0, 0, { prerelease: 'alpha' })],
    ['1.0.0-alpha.beta', v(1, 0, 0, { prerelease: 'alpha.beta' })],
    ['1.0.0-RC1', v(1, 0, 0, { prerelease: 'RC1' })],
    ['2.0.0-nightly.20260101', v(2, 0, 0, { prerelease: 'nightly.20260101' })],
    ['3.0.0-preview.1', v(3, 0, 0, { prerelease: 'preview.1' })],
    ['1.5.0-canary.3', v(1, 5, 0, { prerelease: 'canary.3' })],
    ['1.5.0-dev', v(1, 5, 0, { prerelease: 'dev' })],
    ['1.5.0-dev0', v(1, 5, 0, { prerelease: 'dev0' })],
    ['1.5.0-pre', v(1, 5, 0, { prerelease: 'pre' })],
    ['1.0.0-rc-1', v(1, 0, 0, { prerelease: 'rc-1' })],
    // prerelease followed by a variant
    ['7.4-rc2-alpine', v(7, 4, 0, { prerelease: 'rc2', variant: 'alpine' })],
    ['3.0.0-preview-foo', v(3, 0, 0, { prerelease: 'preview', variant: 'foo' })],
    ['1.0.0-beta-2-alpine', v(1, 0, 0, { prerelease: 'beta-2', variant: 'alpine' })],
    ['v1.2.3-rc.1-windowsservercore-ltsc2022', v(1, 2, 3, { prerelease: 'rc.1', variant: 'windowsservercore-ltsc2022' })],
    // variants (Docker Hub / OCI)
    ['1.27.3-alpine', v(1, 27, 3, { variant: 'alpine' })],
    ['16.2-alpine', v(16, 2, 0, { variant: 'alpine' })],
    ['16.2-alpine3.19', v(16, 2, 0, { variant: 'alpine3.19' })],
    ['1.25.3-bookworm', v(1, 25, 3, { variant: 'bookworm' })],
    ['3.12.1-slim-bookworm', v(3, 12, 1, { variant: 'slim-bookworm' })],
    ['1.25.3-alpine-slim', v(1, 25, 3, { variant: 'alpine-slim' })],
    ['5.38.2-perl', v(5, 38, 2, { variant: 'perl' })],
    ['8.0.36-debian-11-r0', v(8, 0, 36, { variant: 'debian-11-r0' })],
    ['1.5.0-devel', v(1, 5, 0, { variant: 'devel' })],
    ['2.4.58-prefork', v(2, 4, 58, { variant: 'prefork' })],
    ['1.2.3-development', v(1, 2, 3, { variant: 'development' })],
    ['1.2.3-prerelease', v(1, 2, 3, { variant: 'prerelease' })],
    ['21.0.2.13-jdk-jammy', v(21, 0, 2, { extra: [13], variant: 'jdk-jammy' })],
    // build metadata
    ['v2.0.0-beta.1+meta', v(2, 0, 0, { prerelease: 'beta.1', build: 'meta' })],
    ['1.2.3+build.5', v(1, 2, 3, { build: 'build.5' })],
    // Docker tags cannot contain `+`; `_` after the core carries build metadata (eclipse-temurin)
    ['21.0.2_13-jdk-jammy', v(21, 0, 2, { variant: 'jdk-jammy', build: '13' })],
    ['1.2.3_1', v(1, 2, 3, { build: '1' })],
    ['1.2.3_1+b2', v(1, 2, 3, { build: '1+b2' })],
    ['1.2.3-alpine+20240101', v(1, 2, 3, { variant: 'alpine', build: '20240101' })],
  ])('parses %j', (tag, expected) => {
    expect(parseVersionTag(tag)).toEqual({ tag, ...expected, isPrerelease: expected.prerelease !== null });
  });

  it.each([
    [''],
    ['   '],
    ['latest'],
    ['stable'],
    ['main'],
    ['edge'],
    ['lts-alpine'],
    ['v'],
    ['1'],
    ['20'],
    ['v2'],
    ['20-alpine'],
    ['15-bookworm'],
    ['20-alpine3.19'],
    ['20260101'],
    ['sha256:3f1a9b7c0d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a'],
    ['sha-abc1234'],
    ['1..2'],
    ['.1.2'],
    ['1.2.'],
    ['1.2.3-'],
    ['1.2.3--alpine'],
    ['1.2.3+'],
    ['1.2.3+a+b'],
    ['go1.21.5'],
    ['1.2.3a'],
    ['1.2.3_'],
    ['1.2.3_-alpine'],
    ['v.1.2'],
    ['release-'],
    ['1.2.3-al pine'],
    ['99999999999999999999.1'],
  ])('does not parse %j', (tag) => {
    expect(parseVersionTag(tag)).toBeNull();
  });

  it('trims surrounding whitespace, as scraped files often carry a newline', () => {
    expect(parseVersionTag(' 1.2.3\n')).toMatchObject({ tag: '1.2.3', major: 1, minor: 2, patch: 3 });
  });

  it.each([
    ['1.2.3', false, false],
    ['1.2.3', true, true],
    ['1.2.3-rc1', false, true],
    ['1.2.3-alpine', true, true],
    ['1.2.3-alpine', false, false],
    ['1.5.0-devel', false, false],
  ])('isPrerelease of %j with sourcePrerelease=%j is %j', (tag, sourcePrerelease, expected) => {
    const parsed = parseVersionTag(tag, { sourcePrerelease });
    expect(parsed?.isPrerelease).toBe(expected);
  });

  it('keeps the prerelease part null for a release only the source flags', () => {
    expect(parseVersionTag('1.2.3-alpine', { sourcePrerelease: true })).toMatchObject({
      prerelease: null,
      variant: 'alpine',
      isPrerelease: true,
    });
  });
});

describe('formatVersion', () => {
  it.each([
    ['v1.2', '1.2.0'],
    ['1.2.0.0', '1.2.0'],
    ['1.2.3.4-rc.1', '1.2.3.4-rc.1'],
    ['1.2.3.0.5', '1.2.3.0.5'],
    ['16.2-alpine', '16.2.0-alpine'],
    ['7.4-rc2-alpine', '7.4.0-rc2-alpine'],
    ['v2.0.0-beta.1+meta', '2.0.0-beta.1'],
    ['kube-prometheus-stack-45.7.1', '45.7.1'],
  ])('formats %j as %j', (tag, expected) => {
    const parsed = parseVersionTag(tag);
    if (parsed === null) throw new Error(`${tag} should parse`);
    expect(formatVersion(parsed)).toBe(expected);
  });
});
