import { describe, expect, it } from '@jest/globals';
import { catalogReleases } from './release-catalog.ts';
import type { ReleaseCatalog } from './release-catalog.ts';
import { chooseFamily } from './release-scope.ts';
import type { ReleaseCandidate } from './select-latest.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-01-01T00:00:00Z');
const day = (n: number) => new Date(T0.getTime() + n * DAY_MS);

type Options = { published?: number; seen?: number; prerelease?: boolean };

/** A gathered release; dates in days after T0 (first gathered at T0 unless said). */
function rel(tag: string, { published, seen = 0, prerelease = false }: Options = {}): ReleaseCandidate {
  return { tag, publishedAt: published === undefined ? null : day(published), firstSeenAt: day(seen), prerelease };
}

const tagsOf = (releases: readonly { release: ReleaseCandidate }[]) => releases.map((r) => r.release.tag);
const aliasesOf = (catalog: ReleaseCatalog) =>
  Object.fromEntries(catalog.parsed.map((entry) => [entry.release.tag, entry.alias]));

describe('catalogReleases: tag filter and parsing', () => {
  it('keeps every tag, in order, and says what became of it', () => {
    const catalog = catalogReleases(['latest', '16', '16.2', 'jammy-20240911.1', '16.3-alpine', 'v1.2.3a'].map((t) => rel(t)));
    expect(catalog.entries.map((entry) => [entry.release.tag, entry.kind === 'unparseable' ? entry.reason : entry.kind])).toEqual([
      ['latest', 'no_version'],
      ['16', 'major_only'],
      ['16.2', 'parsed'],
      ['jammy-20240911.1', 'date_like_major'],
      ['16.3-alpine', 'parsed'],
      ['v1.2.3a', 'letter_after_version'],
    ]);
    expect(tagsOf(catalog.parsed)).toEqual(['16.2', '16.3-alpine']);
  });

  const TAGS = ['v1.28.0', 'v1.29.0-rc.1', 'v2.0.0', 'kube-prometheus-stack-45.7.1', '1.25.3-alpine', 'latest'];
  it.each([
    ['^v1\\.', ['v1.28.0', 'v1.29.0-rc.1']],
    ['^kube-prometheus-stack-', ['kube-prometheus-stack-45.7.1']],
    ['alpine', ['1.25.3-alpine']],
    [null, ['v1.28.0', 'v1.29.0-rc.1', 'v2.0.0', 'kube-prometheus-stack-45.7.1', '1.25.3-alpine']],
  ])('applies the tag filter %j before parsing', (tagFilter, expected) => {
    const catalog = catalogReleases(TAGS.map((t) => rel(t)), tagFilter);
    expect(tagsOf(catalog.parsed)).toEqual(expected);
    const filtered = catalog.entries.filter((entry) => entry.kind === 'filtered').length;
    expect(filtered).toBe(tagFilter === null ? 0 : TAGS.length - expected.length);
  });

  it('an invalid filter matches nothing and says why', () => {
    const catalog = catalogReleases(TAGS.map((t) => rel(t)), '(unclosed');
    expect(catalog.parsed).toEqual([]);
    expect(catalog.entries.every((entry) => entry.kind === 'filtered')).toBe(true);
    expect(catalog.filterError).toMatch(/regular expression/i);
    expect(catalog.tagFilter).toBe('(unclosed');
  });

  it('carries the source prerelease flag into the parsed version', () => {
    const [parsed] = catalogReleases([rel('v1.30.0', { prerelease: true })]).parsed;
    expect(parsed?.version).toMatchObject({ prerelease: null, isPrerelease: true });
  });

  it('counts the tags of each prefix family', () => {
    const catalog = catalogReleases(['controller-v1.10.1', 'controller-v1.9.0', 'helm-chart-4.12.0', 'v1.0.0', '1.1.0', 'latest'].map((t) => rel(t)));
    expect(Object.fromEntries(catalog.families)).toEqual({ 'controller-': 2, 'helm-chart-': 1, '': 2 });
  });
});

describe('chooseFamily: section 4 families', () => {
  it.each([
    // `v` and no prefix are the same family
    ['1.2.0', ['v1.2.0', 'v1.3.0'], '', 'deployed'],
    // the deployed version's family decides when it has tags
    ['controller-v1.10.1', ['controller-v1.10.1', 'helm-chart-4.12.0'], 'controller-', 'deployed'],
    ['v0.29.3', ['v0.29.3', 'kubernetes-1.31.1'], '', 'deployed'],
    ['api/v1.8.0', ['api/v1.8.0', 'v1.9.0'], 'api/', 'deployed'],
    // no tag of the deployed family, the tags that parse form one family: that one
    ['2.3.0', ['release-2.4.0', 'release-2.3.0', 'latest'], 'release-', 'only_family'],
    ['45.7.1', ['kube-prometheus-stack-45.7.1'], 'kube-prometheus-stack-', 'only_family'],
    // ... but not among two families, nor without any
    ['1.10.1', ['controller-v1.10.1', 'helm-chart-4.12.0'], '', 'deployed'],
    ['1.0.0', ['latest'], '', 'deployed'],
  ])('deployed %j among %j: family %j (%s)', (deployed, tags, family, chosenBy) => {
    const catalog = catalogReleases(tags.map((t) => rel(t)));
    const deployedFamily = catalogReleases([rel(deployed)]).parsed[0]?.version.family ?? '';
    expect(chooseFamily(catalog, deployedFamily)).toEqual({ family, chosenBy });
  });
});

describe('catalogReleases: floating two-part tags (line aliases)', () => {
  it.each<[string, ReleaseCandidate[], Record<string, string | null>]>([
    [
      'traefik: v3.1 gathered with its patch releases is an alias of its line',
      [rel('v3.1'), rel('v3.1.0'), rel('v3.1.2'), rel('v3.0.2')],
      { 'v3.1': 'line_alias', 'v3.1.0': null, 'v3.1.2': null, 'v3.0.2': null },
    ],
    [
      'equal dates count as no later (tags first gathered together)',
      [rel('v3.1', { seen: 5 }), rel('v3.1.0', { seen: 5 })],
      { 'v3.1': 'line_alias', 'v3.1.0': null },
    ],
    [
      'a patch release published before the two-part tag makes it an alias',
      [rel('3.1', { published: 10 }), rel('3.1.0', { published: 9 })],
      { '3.1': 'line_alias', '3.1.0': null },
    ],
    [
      'prereleases of the line count',
      [rel('v3.1'), rel('v3.1.0-rc.1')],
      { 'v3.1': 'line_alias', 'v3.1.0-rc.1': null },
    ],
    [
      'Jenkins: the weekly 2.555, published before its LTS 2.555.1, is a release',
      [rel('2.555', { published: 1 }), rel('2.555.1', { published: 30 }), rel('2.556', { published: 8 })],
      { '2.555': null, '2.555.1': null, '2.556': null },
    ],
    [
      'PostgreSQL: 16.2 without patch releases is a release',
      [rel('16.2'), rel('16.3'), rel('16.2-alpine')],
      { '16.2': null, '16.3': null, '16.2-alpine': null },
    ],
    [
      'a patch release of another variant does not make an alias',
      [rel('3.1-alpine'), rel('3.1.0'), rel('3.1.0-alpine')],
      { '3.1-alpine': 'line_alias', '3.1.0': null, '3.1.0-alpine': null },
    ],
    [
      'nor one of another variant only',
      [rel('3.1-alpine'), rel('3.1.0')],
      { '3.1-alpine': null, '3.1.0': null },
    ],
    [
      'nor one of another family',
      [rel('v3.1'), rel('helm-3.1.0')],
      { 'v3.1': null, 'helm-3.1.0': null },
    ],
    [
      'the tags of one two-part line are judged by the earliest of their dates',
      [rel('3.1', { seen: 1 }), rel('v3.1', { seen: 9 }), rel('v3.1.0', { seen: 5 })],
      { '3.1': null, 'v3.1': null, 'v3.1.0': null },
    ],
    [
      'a two-part prerelease or build names one release and never floats',
      [rel('7.4-rc2'), rel('7.4.0-rc1'), rel('17.0-20240522'), rel('17.0.1')],
      { '7.4-rc2': null, '7.4.0-rc1': null, '17.0-20240522': null, '17.0.1': null },
    ],
  ])('%s', (_why, releases, expected) => {
    expect(aliasesOf(catalogReleases(releases))).toEqual(expected);
  });
});

describe('catalogReleases: build-less aliases of the newest build', () => {
  it.each<[string, string[], Record<string, string | null>]>([
    [
      'odoo: 17.0 beside its dated builds',
      ['17.0', '17.0-20240522', '17.0-20240924', '16.0'],
      { '17.0': 'build_alias', '17.0-20240522': null, '17.0-20240924': null, '16.0': null },
    ],
    [
      'eclipse-temurin: 21.0.3-jdk-jammy beside 21.0.3_9-jdk-jammy',
      ['21.0.3-jdk-jammy', '21.0.3_9-jdk-jammy', '21.0.3-jre-jammy'],
      { '21.0.3-jdk-jammy': 'build_alias', '21.0.3_9-jdk-jammy': null, '21.0.3-jre-jammy': null },
    ],
    [
      'only digit-only builds make an alias',
      ['1.2.3', '1.2.3+build.5', 'v1.29.3', 'v1.29.3+k3s1'],
      { '1.2.3': null, '1.2.3+build.5': null, 'v1.29.3': null, 'v1.29.3+k3s1': null },
    ],
    [
      'only of a stable version',
      ['1.2.3-rc1', '1.2.3-rc1-5'],
      { '1.2.3-rc1': null, '1.2.3-rc1-5': null },
    ],
  ])('%s', (_why, tags, expected) => {
    expect(aliasesOf(catalogReleases(tags.map((t) => rel(t))))).toEqual(expected);
  });
});

describe('catalogReleases: the date of a release carried by several tags', () => {
  it('v3.0.2 and 3.0.2: the earliest of their dates, for both', () => {
    const catalog = catalogReleases([rel('v3.0.2', { published: 20, seen: 21 }), rel('3.0.2', { seen: 12 }), rel('v3.0.3', { published: 30 })]);
    const dated = Object.fromEntries(catalog.parsed.map((entry) => [entry.release.tag, entry.dated]));
    expect(dated['v3.0.2']).toEqual({ at: day(12), source: 'first_seen', tag: '3.0.2' });
    expect(dated['3.0.2']).toEqual({ at: day(12), source: 'first_seen', tag: '3.0.2' });
    expect(dated['v3.0.3']).toEqual({ at: day(30), source: 'published', tag: 'v3.0.3' });
  });

  it('a publish date wins a tie, whatever the order', () => {
    const releases = [rel('3.0.2', { seen: 5 }), rel('v3.0.2', { published: 5 })];
    for (const order of [releases, [...releases].reverse()]) {
      expect(catalogReleases(order).parsed.map((entry) => entry.dated.tag)).toEqual(['v3.0.2', 'v3.0.2']);
    }
  });

  it('builds are releases of their own; an alias keeps its own date', () => {
    const catalog = catalogReleases([rel('17.0', { seen: 1 }), rel('17.0-20240522', { seen: 2 }), rel('17.0-20240924', { seen: 3 })]);
    expect(catalog.parsed.map((entry) => entry.dated.at)).toEqual([day(1), day(2), day(3)]);
  });
});

describe('catalogReleases: a budget', () => {
  it('stops reading when the budget is spent, and says after how many of how many tags', () => {
    const releases = Array.from({ length: 1000 }, (_, i) => rel(`1.0.${i}`));
    let asked = 0;
    const catalog = catalogReleases(releases, '^1\\.', { overBudget: () => ++asked > 3 });
    expect(catalog.stoppedAfter).toEqual({ read: 128, of: 1000 });
    expect(catalog.entries).toHaveLength(128);
    expect(catalogReleases(releases, null, { overBudget: () => false }).stoppedAfter).toBeNull();
  });
});
