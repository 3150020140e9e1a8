// Properties of parsing and ordering over generated tags (fast-check): the order is total within
// a family and variant, and parsing a printed version gives it back.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compareReleases, compareVersions, releaseKey } from './compare-versions.ts';
import { formatVersion } from './format-version.ts';
import { isPrereleasePart, PRERELEASE_KEYWORDS } from './parse-suffix.ts';
import { parseVersionTag } from './parse-version.ts';
import type { ParsedVersion } from './parse-version.ts';

/** The parts of a tag, before it is printed. */
type TagSpec = {
  prefix: string;
  numbers: number[];
  prerelease: string[];
  variant: string[];
  builds: string[];
  plusBuild: string | null;
};

const PREFIXES = ['', 'v', 'V', 'release-', 'release-v', 'controller-v', 'helm-chart-', 'api/v', 'sdk/go/', 'jdk-'];

const number = (max: number) => fc.integer({ min: 0, max });
const keywordPart = fc
  .tuple(fc.constantFrom(...PRERELEASE_KEYWORDS, 'RC', 'Beta', 'SNAPSHOT'), fc.constantFrom('', '1', '01', '2', '12', '.1', '.01', '.9', '.12', '.0.3'))
  .map(([keyword, rest]) => keyword + rest);
const variantPart = fc
  .stringMatching(/^[a-z][a-z0-9.]{0,6}$/)
  .filter((part) => !isPrereleasePart(part));
// Leading zeros and few distinct values, so that equal builds spelled differently come up.
const digitPart = fc.oneof(fc.stringMatching(/^[0-9]{1,9}$/), fc.constantFrom('0', '00', '1', '01', '9', '10', '010'));
const plusBuild = fc.oneof(fc.stringMatching(/^[0-9a-z][0-9a-z.]{0,5}$/), fc.constantFrom('1', '01', 'b.1', 'b.01', 'B.1'));

/** Tags with small numbers, so that equal and neighbouring versions come up often. */
function tagSpec(maxNumber: number): fc.Arbitrary<TagSpec> {
  return fc.record({
    prefix: fc.constantFrom(...PREFIXES),
    numbers: fc.array(number(maxNumber), { minLength: 2, maxLength: 5 }),
    prerelease: fc.array(keywordPart, { maxLength: 2 }),
    variant: fc.array(variantPart, { maxLength: 2 }),
    builds: fc.array(digitPart, { maxLength: 2 }),
    plusBuild: fc.option(plusBuild),
  });
}

/** Prints a spec as a tag, its suffix parts in a given order: another printer than formatVersion. */
function printTag(spec: TagSpec, order: readonly number[]): { tag: string; suffix: string[] } {
  const parts = [...spec.prerelease, ...spec.variant, ...spec.builds];
  const first = order.filter((i) => i < parts.length);
  const suffix = [...first, ...parts.keys()].filter((i, at, all) => all.indexOf(i) === at).map((i) => parts[i] ?? '');
  const tag = `${spec.prefix}${spec.numbers.join('.')}${suffix.map((part) => `-${part}`).join('')}`;
  return { tag: spec.plusBuild === null ? tag : `${tag}+${spec.plusBuild}`, suffix };
}

const printedTag = (maxNumber: number) =>
  fc.tuple(tagSpec(maxNumber), fc.array(fc.nat({ max: 5 }), { maxLength: 6 })).map(([spec, order]) => ({ spec, ...printTag(spec, order) }));

function parse(tag: string): ParsedVersion {
  const parsed = parseVersionTag(tag);
  if (parsed === null) throw new Error(`${tag} should parse`);
  return parsed;
}

const sign = (n: number) => Math.sign(n) || 0;

describe('parsing a printed version gives it back', () => {
  it('a tag printed from its parts parses to those parts, whatever the order of its suffix parts', () => {
    fc.assert(
      fc.property(printedTag(99_999), ({ spec, tag, suffix }) => {
        const version = parse(tag);
        const of = (kind: (part: string) => boolean) => suffix.filter(kind);
        const isBuild = (part: string) => /^[0-9]+$/.test(part);
        const builds = [...of(isBuild), ...(spec.plusBuild === null ? [] : [spec.plusBuild])];
        const prerelease = of(isPrereleasePart);
        const [major, minor, patch = 0, ...extra] = spec.numbers;
        expect(version).toEqual({
          tag,
          prefix: spec.prefix,
          family: spec.prefix.replace(/[vV]$/, ''),
          major,
          minor,
          patch,
          extra,
          parts: spec.numbers.length,
          prerelease: prerelease.length === 0 ? null : prerelease.join('-'),
          variant: of((part) => !isBuild(part) && !isPrereleasePart(part)).join('-'),
          build: builds.length === 0 ? null : builds.join('.'),
          isPrerelease: prerelease.length > 0,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('prefix + formatVersion(version) parses to the same version', () => {
    fc.assert(
      fc.property(printedTag(99_999), ({ tag }) => {
        const version = parse(tag);
        const again = parse(version.prefix + formatVersion(version));
        expect(formatVersion(again)).toBe(formatVersion(version));
        expect({ ...again, tag: '', parts: 0, extra: [] }).toEqual({ ...version, tag: '', parts: 0, extra: [] });
        expect(releaseKey(again)).toBe(releaseKey(version));
        expect(compareReleases(again, version)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('comparison is a total order within a family and variant', () => {
  const small = printedTag(3).map(({ tag }) => parse(tag));

  it('antisymmetric and consistent with equality: zero exactly for one release key', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        // Opposite signs, summed (toBe tells -0 from 0, and equal releases compare 0 both ways).
        expect(sign(compareReleases(a, b)) + sign(compareReleases(b, a))).toBe(0);
        expect(compareReleases(a, b) === 0).toBe(releaseKey(a) === releaseKey(b));
        expect(compareReleases(a, a)).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('transitive', () => {
    fc.assert(
      fc.property(small, small, small, (a, b, c) => {
        if (compareReleases(a, b) <= 0 && compareReleases(b, c) <= 0) expect(compareReleases(a, c)).toBeLessThanOrEqual(0);
        if (compareReleases(a, b) === 0 && compareReleases(b, c) === 0) expect(compareReleases(a, c)).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('sorting gives the same order whatever the input order, and builds only order within one version', () => {
    fc.assert(
      fc.property(fc.array(small, { minLength: 2, maxLength: 30 }), (versions) => {
        const keys = (list: ParsedVersion[]) => [...list].sort(compareReleases).map(releaseKey);
        expect(keys([...versions].reverse())).toEqual(keys(versions));
        const sorted = [...versions].sort(compareReleases);
        for (let i = 1; i < sorted.length; i += 1) {
          expect(compareVersions(sorted[i - 1] as ParsedVersion, sorted[i] as ParsedVersion)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
