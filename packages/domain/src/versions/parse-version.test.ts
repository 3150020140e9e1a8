import { describe, expect, it } from '@jest/globals';
import { formatVersion } from './format-version.ts';
import { explainVersionTag, parseVersionTag } from './parse-version.ts';
import type { UnparseableReason } from './parse-version.ts';

type Expected = {
  family?: string;
  extra?: number[];
  parts?: number;
  prerelease?: string | null;
  variant?: string;
  build?: string | null;
};

const v = (major: number, minor: number, patch: number, rest: Expected = {}) => ({
  family: rest.family ?? '',
  major,
  minor,
  patch,
  extra: rest.extra ?? [],
  prerelease: rest.prerelease ?? null,
  variant: rest.variant ?? '',
  build: rest.build ?? null,
  ...(rest.parts === undefined ? {} : { parts: rest.parts }),
});

describe('parseVersionTag', () => {
  it.each([
    // plain and prefixed releases (GitHub, Helm charts, Git tags)
    ['1.2.3', v(1, 2, 3, { parts: 3 })],
    ['v1.29.0', v(1, 29, 0)],
    ['V2.0.1', v(2, 0, 1)],
    ['1.2', v(1, 2, 0, { parts: 2 })],
    ['v1.2', v(1, 2, 0, { parts: 2 })],
    ['release-1.2.3', v(1, 2, 3, { family: 'release-' })],
    ['release-v1.4.0', v(1, 4, 0, { family: 'release-' })],
    ['my-chart-1.2.3', v(1, 2, 3, { family: 'my-chart-' })],
    ['kube-prometheus-stack-45.7.1', v(45, 7, 1, { family: 'kube-prometheus-stack-' })],
    ['jenkins-2.440.1', v(2, 440, 1, { family: 'jenkins-' })],
    ['chart-v0.3.0', v(0, 3, 0, { family: 'chart-' })],
    ['python3.11-1.2.3', v(1, 2, 3, { family: 'python3.11-' })],
    // section 4, prefixes: a name ending in `-` or `/`, possibly followed by `v`
    ['chart-name-1.2.3', v(1, 2, 3, { family: 'chart-name-' })],
    ['controller-v1.10.1', v(1, 10, 1, { family: 'controller-' })],
    ['helm-chart-4.12.0', v(4, 12, 0, { family: 'helm-chart-' })],
    ['helm-chart-4.10.1', v(4, 10, 1, { family: 'helm-chart-' })],
    ['api/v1.8.0', v(1, 8, 0, { family: 'api/' })],
    ['sdk/go/v2.1.0', v(2, 1, 0, { family: 'sdk/go/' })],
    ['kubernetes-1.31.1', v(1, 31, 1, { family: 'kubernetes-' })],
    ['v0.29.3', v(0, 29, 3)],
    // calendar style, leading zeros, a fourth part
    ['2024.01.15', v(2024, 1, 15)],
    ['01.02.03', v(1, 2, 3)],
    ['1.2.3.4', v(1, 2, 3, { extra: [4], parts: 4 })],
    ['2024.1.15.1', v(2024, 1, 15, { extra: [1] })],
    ['1.2.3.4.5', v(1, 2, 3, { extra: [4, 5] })],
    ['22.04', v(22, 4, 0, { parts: 2 })],
    ['99999.1', v(99999, 1, 0)],
    // Java's GA naming: a major-only version with +build
    ['jdk-21+35', v(21, 0, 0, { family: 'jdk-', build: '35', parts: 1 })],
    ['jdk-21.0.3+9', v(21, 0, 3, { family: 'jdk-', build: '9' })],
    // prereleases
    ['v1.29.0-rc.0', v(1, 29, 0, { prerelease: 'rc.0' })],
    ['1.0.0-rc.1', v(1, 0, 0, { prerelease: 'rc.1' })],
    ['7.4-rc2', v(7, 4, 0, { prerelease: 'rc2', parts: 2 })],
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
    // section 4: a part that is only digits is a build number, also after a prerelease
    ['1.0.0-rc-1', v(1, 0, 0, { prerelease: 'rc', build: '1' })],
    // section 4: a prerelease keyword anywhere in the suffix
    ['7.4-rc2-alpine', v(7, 4, 0, { prerelease: 'rc2', variant: 'alpine' })],
    ['11.7.1-noble-rc', v(11, 7, 1, { prerelease: 'rc', variant: 'noble' })],
    ['3.0.0-preview-foo', v(3, 0, 0, { prerelease: 'preview', variant: 'foo' })],
    ['1.0.0-beta-2-alpine', v(1, 0, 0, { prerelease: 'beta', variant: 'alpine', build: '2' })],
    ['v1.2.3-rc.1-windowsservercore-ltsc2022', v(1, 2, 3, { prerelease: 'rc.1', variant: 'windowsservercore-ltsc2022' })],
    ['1.2.3-alpine-beta.2', v(1, 2, 3, { prerelease: 'beta.2', variant: 'alpine' })],
    // section 4: a prerelease keyword glued to the version reads as if `-` stood before it
    ['1.23rc1', v(1, 23, 0, { prerelease: 'rc1', parts: 2 })],
    ['8.4.0alpha1', v(8, 4, 0, { prerelease: 'alpha1' })],
    ['2022.04.2beta', v(2022, 4, 2, { prerelease: 'beta' })],
    ['1.2.3rc1-alpine', v(1, 2, 3, { prerelease: 'rc1', variant: 'alpine' })],
    // section 4: not keywords (a letter follows): variants
    ['1.5.0-devel', v(1, 5, 0, { variant: 'devel' })],
    ['2.4.58-prefork', v(2, 4, 58, { variant: 'prefork' })],
    ['1.2.3-developer', v(1, 2, 3, { variant: 'developer' })],
    ['1.2.3-development', v(1, 2, 3, { variant: 'development' })],
    ['1.2.3-prerelease', v(1, 2, 3, { variant: 'prerelease' })],
    // variants (Docker Hub / OCI)
    ['1.27.3-alpine', v(1, 27, 3, { variant: 'alpine' })],
    ['16.2-alpine', v(16, 2, 0, { variant: 'alpine', parts: 2 })],
    ['16.2-alpine3.19', v(16, 2, 0, { variant: 'alpine3.19' })],
    ['1.25.3-bookworm', v(1, 25, 3, { variant: 'bookworm' })],
    ['3.12.1-slim-bookworm', v(3, 12, 1, { variant: 'slim-bookworm' })],
    ['1.25.3-alpine-slim', v(1, 25, 3, { variant: 'alpine-slim' })],
    ['5.38.2-perl', v(5, 38, 2, { variant: 'perl' })],
    ['21.0.2.13-jdk-jammy', v(21, 0, 2, { extra: [13], variant: 'jdk-jammy' })],
    // section 4: build numbers: `_digits`, digit-only suffix parts, `+build`
    ['21.0.3_9-jdk-jammy', v(21, 0, 3, { variant: 'jdk-jammy', build: '9' })],
    ['21.0.2_13-jdk-jammy', v(21, 0, 2, { variant: 'jdk-jammy', build: '13' })],
    ['17.0-20240522', v(17, 0, 0, { build: '20240522', parts: 2 })],
    ['17.0-20240924', v(17, 0, 0, { build: '20240924' })],
    ['3.9.5-0', v(3, 9, 5, { build: '0' })],
    ['8.0.36-debian-11-r0', v(8, 0, 36, { variant: 'debian-r0', build: '11' })],
    ['v2.0.0-beta.1+meta', v(2, 0, 0, { prerelease: 'beta.1', build: 'meta' })],
    ['1.2.3+build.5', v(1, 2, 3, { build: 'build.5' })],
    ['v1.29.3+k3s1', v(1, 29, 3, { build: 'k3s1' })],
    ['1.2.3_1', v(1, 2, 3, { build: '1' })],
    ['1.2.3_1+b2', v(1, 2, 3, { build: '1.b2' })],
    ['1.2.3-alpine+20240101', v(1, 2, 3, { variant: 'alpine', build: '20240101' })],
    // `_` followed by more than digits separates like `-`
    ['1.2.3_rc1', v(1, 2, 3, { prerelease: 'rc1' })],
    ['1.2.3_alpine', v(1, 2, 3, { variant: 'alpine' })],
  ])('parses %j', (tag, expected) => {
    expect(parseVersionTag(tag)).toMatchObject({ tag, ...expected, isPrerelease: expected.prerelease !== null });
  });

  it.each<[string, UnparseableReason]>([
    ['', 'empty'],
    ['   ', 'empty'],
    ['latest', 'no_version'],
    ['stable', 'no_version'],
    ['main', 'no_version'],
    ['edge', 'no_version'],
    ['lts-alpine', 'no_version'],
    ['v', 'no_version'],
    ['sha256:3f1a9b7c0d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a', 'no_version'],
    ['sha-abc1234', 'no_version'],
    ['go1.21.5', 'no_version'],
    ['v.1.2', 'no_version'],
    ['release-', 'no_version'],
    ['@scope/pkg@1.2.3', 'no_version'],
    // section 4: major-only tags are floating and do not parse
    ['1', 'major_only'],
    ['20', 'major_only'],
    ['v2', 'major_only'],
    ['20-alpine', 'major_only'],
    ['15-bookworm', 'major_only'],
    ['20-alpine3.19', 'major_only'],
    ['18beta1', 'major_only'],
    ['21-jre+35', 'major_only'],
    ['jdk-21', 'major_only'],
    // section 4: a major of six or more digits is a date or build number
    ['20240911.1', 'date_like_major'],
    ['20260101', 'date_like_major'],
    ['jammy-20240911.1', 'date_like_major'],
    ['v202401.1.0', 'date_like_major'],
    ['99999999999999999999.1', 'date_like_major'],
    // section 4: any other letter directly after the version does not parse
    ['1.2.3a', 'letter_after_version'],
    ['1.2.3devel', 'letter_after_version'],
    ['1.2.3prefork', 'letter_after_version'],
    ['8u412-b08-jdk', 'letter_after_version'],
    ['1..2', 'malformed'],
    ['.1.2', 'no_version'],
    ['1.2.', 'malformed'],
    ['1.2.3-', 'malformed'],
    ['1.2.3--alpine', 'malformed'],
    ['1.2.3+', 'malformed'],
    ['1.2.3+a+b', 'malformed'],
    ['1.2.3_', 'malformed'],
    ['1.2.3_-alpine', 'malformed'],
    ['1.2.3-al pine', 'malformed'],
    ['1.2.3.RELEASE', 'malformed'],
    ['1.99999999999999999999', 'malformed'],
    [`1.2.3-${'a'.repeat(300)}`, 'too_long'],
  ])('does not parse %j (%s)', (tag, reason) => {
    expect(parseVersionTag(tag)).toBeNull();
    expect(explainVersionTag(tag)).toEqual({ ok: false, reason, message: expect.any(String) });
  });

  it('trims surrounding whitespace, as scraped files often carry a newline', () => {
    expect(parseVersionTag(' 1.2.3\n')).toMatchObject({ tag: '1.2.3', major: 1, minor: 2, patch: 3 });
  });

  it.each([
    ['1.2.3', ''],
    ['v1.2.3', 'v'],
    ['controller-v1.10.1', 'controller-v'],
    ['api/v1.8.0', 'api/v'],
    ['release-1.2.3', 'release-'],
  ])('keeps the prefix of %j as written: %j', (tag, prefix) => {
    expect(parseVersionTag(tag)?.prefix).toBe(prefix);
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
    ['11.7.1-noble-rc', '11.7.1-rc-noble'],
    ['v2.0.0-beta.1+meta', '2.0.0-beta.1+meta'],
    ['kube-prometheus-stack-45.7.1', '45.7.1'],
    ['21.0.3_9-jdk-jammy', '21.0.3-jdk-jammy+9'],
    ['17.0-20240522', '17.0.0+20240522'],
    ['jdk-21+35', '21.0.0+35'],
  ])('formats %j as %j', (tag, expected) => {
    const parsed = parseVersionTag(tag);
    if (parsed === null) throw new Error(`${tag} should parse`);
    expect(formatVersion(parsed)).toBe(expected);
  });
});
