import { describe, expect, it } from '@jest/globals';
import { parseVersionTag } from '../versions/index.ts';
import { ownDating } from '../versions/release-catalog.ts';
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
    // section 4: builds of one version are one version
    ['17.0-20240522', '17.0-20240924', 0],
    ['jdk-21+35', 'jdk-22+36', 1],
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
    ['builds of one version are one version', '17.0-20240522', '17.0-20240924', ['17.0-20240522', '17.0-20240924'], 0],
    ['builds do not add lines', '21.0.3_9', '21.2.1_5', ['21.0.3_9', '21.1.0_1', '21.1.0_2', '21.2.1_5'], 2],
  ])('%s: deployed %j, latest %j -> %j', (_why, deployed, latest, released, expected) => {
    expect(minorsBehind(parse(deployed), parse(latest), released.map(parse))).toBe(expected);
  });
});

describe('daysBehind', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);

  function deployedRelease(tag: string, overrides: Partial<ReleaseCandidate>) {
    const release = { tag, publishedAt: null, firstSeenAt: daysAgo(1), prerelease: false, ...overrides };
    return { version: parse(tag), dated: ownDating(release) };
  }

  it.each([
    ['published 90 days ago', { publishedAt: daysAgo(90) }, '1.3.0', 90, 'published'],
    ['rounds down a partial day', { publishedAt: daysAgo(89.99) }, '1.3.0', 89, 'published'],
    ['less than a day', { publishedAt: daysAgo(0.5) }, '1.3.0', 0, 'published'],
    ['no publish date: first gathered', { publishedAt: null, firstSeenAt: daysAgo(45) }, '1.3.0', 45, 'first_seen'],
    ['publish date wins over first seen', { publishedAt: daysAgo(200), firstSeenAt: daysAgo(3) }, '1.3.0', 200, 'published'],
    ['a date in the future counts as 0', { publishedAt: daysAgo(-2) }, '1.3.0', 0, 'published'],
    ['up to date', { publishedAt: daysAgo(400) }, '1.2.0', 0, null],
    ['same version, other spelling', { publishedAt: daysAgo(400) }, 'v1.2', 0, null],
    ['ahead of latest', { publishedAt: daysAgo(400) }, '1.1.0', 0, null],
    ['a newer build of the same version is ahead', { publishedAt: daysAgo(400) }, '1.2.0+1', 400, 'published'],
  ])('%s', (_why, dates, latest, days, source) => {
    const deployed = deployedRelease('1.2.0', dates);
    expect(daysBehind(deployed, parse(latest), now)).toEqual({ days, countedFrom: source === null ? null : deployed.dated });
    expect(deployed.dated.source).toBe(dates.publishedAt === null ? 'first_seen' : 'published');
  });

  it('section 4: a deployed older build is behind the newest, counted from its own date', () => {
    const deployed = deployedRelease('17.0-20240522', { publishedAt: daysAgo(120) });
    expect(daysBehind(deployed, parse('17.0-20240924'), now)).toEqual({ days: 120, countedFrom: deployed.dated });
    expect(daysBehind(deployed, parse('17.0-20240522'), now)).toEqual({ days: 0, countedFrom: null });
  });
});
