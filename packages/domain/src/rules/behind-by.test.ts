import { describe, expect, it } from '@jest/globals';
import { parseReleases, parseVersionTag } from '../versions/index.ts';
import type { ParsedVersion, ReleaseCandidate } from '../versions/index.ts';
import { daysBehind, majorsBehind, minorsBehind } from './behind-by.ts';

function parse(tag: string): ParsedVersion {
  const parsed = parseVersionTag(tag);
  if (parsed === null) throw new Error(`test tag ${tag} should parse`);
  return parsed;
}

describe('majorsBehind', () => {
  it.each([
    ['v1.4.2', 'v3.0.0', 2],
    ['1.0', '1.9', 0],
    ['16.2-alpine', '17.0-alpine', 1],
    ['2023.12.01', '2025.01.15', 2],
    ['3.0.0', '2.9.0', 0],
    ['0.9.0', '1.0.0-rc.1', 1],
  ])('deployed %j, latest %j: %j', (deployed, latest, expected) => {
    expect(majorsBehind(parse(deployed), parse(latest))).toBe(expected);
  });
});

describe('minorsBehind', () => {
  const everyMinor = ['1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0'];
  it.each([
    ['every minor 1.3..1.8 released', '1.2.0', '1.8.0', everyMinor, 6],
    ['only 1.3, 1.5 and 1.8 released', '1.2.0', '1.8.0', ['1.2.0', '1.3.0', '1.5.0', '1.8.0'], 3],
    ['patches do not add lines', '1.2', '1.8.2', ['1.2.0', '1.3.0', '1.3.1', '1.3.2', '1.8.0', '1.8.2'], 2],
    ['patches on the deployed line do not count', '1.2.0', '1.2.5', ['1.2.0', '1.2.1', '1.2.5'], 0],
    ['up to date', '1.8.0', '1.8.0', everyMinor, 0],
    ['ahead of latest', '1.9.0', '1.8.0', [...everyMinor, '1.9.0'], 0],
    ['lines above latest do not count', '1.2.0', '1.5.0', [...everyMinor, '1.9.0'], 3],
    ['across a major', '1.8.0', '2.1.0', ['1.8.0', '1.9.0', '2.0.0', '2.1.0'], 3],
    ['a prerelease line counts when given', '1.2.0', '1.4.0-rc.1', ['1.2.0', '1.3.0', '1.4.0-rc.1'], 2],
    ['ordered by version, not listing order', '1.2.0', '1.8.0', ['1.8.0', '1.3.0', '1.5.0', '1.2.0'], 3],
    ['1.10 is above 1.9', '1.9.0', '1.10.0', ['1.9.0', '1.10.0'], 1],
  ])('%s: deployed %j, latest %j -> %j', (_why, deployed, latest, released, expected) => {
    expect(minorsBehind(parse(deployed), parse(latest), released.map(parse))).toBe(expected);
  });
});

describe('daysBehind', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);

  function deployedRelease(tag: string, overrides: Partial<ReleaseCandidate>) {
    const [parsed] = parseReleases([{ tag, publishedAt: null, firstSeenAt: daysAgo(1), prerelease: false, ...overrides }]);
    if (parsed === undefined) throw new Error(`test tag ${tag} should parse`);
    return parsed;
  }

  it.each([
    ['published 90 days ago', { publishedAt: daysAgo(90) }, '1.3.0', { days: 90, dateSource: 'published' }],
    ['rounds down a partial day', { publishedAt: daysAgo(89.99) }, '1.3.0', { days: 89, dateSource: 'published' }],
    ['less than a day', { publishedAt: daysAgo(0.5) }, '1.3.0', { days: 0, dateSource: 'published' }],
    [
      'no publish date: first gathered',
      { publishedAt: null, firstSeenAt: daysAgo(45) },
      '1.3.0',
      { days: 45, dateSource: 'first_seen' },
    ],
    [
      'publish date wins over first seen',
      { publishedAt: daysAgo(200), firstSeenAt: daysAgo(3) },
      '1.3.0',
      { days: 200, dateSource: 'published' },
    ],
    ['a date in the future counts as 0', { publishedAt: daysAgo(-2) }, '1.3.0', { days: 0, dateSource: 'published' }],
    ['up to date', { publishedAt: daysAgo(400) }, '1.2.0', { days: 0, dateSource: null }],
    ['same version, other spelling', { publishedAt: daysAgo(400) }, 'v1.2', { days: 0, dateSource: null }],
    ['ahead of latest', { publishedAt: daysAgo(400) }, '1.1.0', { days: 0, dateSource: null }],
  ])('%s', (_why, dates, latest, expected) => {
    expect(daysBehind(deployedRelease('1.2.0', dates), parse(latest), now)).toEqual(expected);
  });
});
