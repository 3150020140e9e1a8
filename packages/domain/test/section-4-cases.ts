// Every example DESIGN.md section 4 names, and every case issue 12 lists, with the answer the
// section gives: read by the domain's table test (packages/domain/src/rules/section-4.test.ts)
// and, through the API with real processes, by tests/e2e/section-4.test.ts. Test data only.
import type { ReleaseCandidate } from '../src/versions/index.ts';

/** The instant the rows are dated against. */
export const SECTION_4_NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A tag, or a tag with its dates in days before now: `published` is the source's publish date
 * (none by default), `seen` when it was first gathered (10 days ago by default).
 */
export type Tag = string | [string, { published?: number; seen?: number; prerelease?: boolean }];

/** A tag as a gather job stores it, dated against `now`. */
export function releaseOf(tag: Tag, now = SECTION_4_NOW): ReleaseCandidate {
  const [name, { published, seen = 10, prerelease = false }] = typeof tag === 'string' ? [tag, {}] : tag;
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return { tag: name, publishedAt: published === undefined ? null : daysAgo(published), firstSeenAt: daysAgo(seen), prerelease };
}

/** The answer under each rule: the latest, and majors, minors and days behind. */
export type Ok = { latest: string; majors: number; minors: number; days: number };
/** No answer: the reason says (a part of it), and the latest when it is known. */
export type Unknown = { unknown: string; latest?: string | null };
/** The rule's stable_only (default true) and the gather job's tag filter (default none). */
export type CaseOptions = { stableOnly?: boolean; tagFilter?: string };
export type Section4Case = [name: string, tags: Tag[], deployed: string, expected: Ok | Unknown, options?: CaseOptions];

export const ok = (latest: string, majors: number, minors: number, days: number): Ok => ({ latest, majors, minors, days });

export const INGRESS_NGINX = ['controller-v1.10.1', 'controller-v1.11.2', 'controller-v1.12.0', 'helm-chart-4.10.1', 'helm-chart-4.11.2', 'helm-chart-4.12.0'];
export const CLIENT_GO = ['v0.29.3', 'v0.30.0', 'v0.31.1', 'kubernetes-1.29.3', 'kubernetes-1.31.1'];
export const GO_MODULE = ['v1.8.0', 'v1.9.0', 'api/v1.8.0', 'api/v1.8.2'];
export const UBUNTU = ['jammy-20240911.1', 'jammy-20240808', 'noble-20240904.1', '22.04', '24.04', 'jammy', 'latest'];
export const ODOO = ['16.0', '16.0-20240920', '17.0', '17.0-20240522', '17.0-20240924', '18.0', '18.0-20241001'];
export const TEMURIN = ['21-jdk-jammy', '21.0.3_9-jdk-jammy', '21.0.4_7-jdk-jammy', '21.0.4-jdk-jammy', '22.0.2_9-jdk-jammy', '22.0.2_9-jre-jammy', '23-jdk-jammy'];
export const JDK = ['jdk-21+35', 'jdk-21.0.1+12', 'jdk-21.0.2+13', 'jdk-22+36'];
export const POSTGIS = ['11.7.0-noble', '11.7.1-noble-rc', '11.7.1-noble', '11.8.0-noble-rc'];
export const TRAEFIK = ['v3.0.4', 'v3.1', 'v3.1.0', 'v3.1.2', 'v3.2', 'v3.2.0'];

/** The cases by the part of section 4 (or issue 12) they show. */
export const SECTION_4_CASES: ReadonlyArray<[group: string, cases: Section4Case[]]> = [
  ['section 4, parsing', [
    ['a prefix ending in `-`: chart-name-1.2.3', ['chart-name-1.2.3', 'chart-name-1.4.0'], 'chart-name-1.2.3', ok('chart-name-1.4.0', 0, 1, 10)],
    ['a prefix followed by v: controller-v1.10.1', ['controller-v1.10.1', 'controller-v1.11.0'], 'controller-v1.10.1', ok('controller-v1.11.0', 0, 1, 10)],
    ['a prefix ending in `/`: api/v1.8.0', ['api/v1.8.0', 'api/v1.9.0'], 'api/v1.8.0', ok('api/v1.9.0', 0, 1, 10)],
    ['release- prefix', ['release-1.2.0', 'release-v1.3.0'], 'release-1.2.0', ok('release-v1.3.0', 0, 1, 10)],
    ['at least major.minor: 1.2', ['1.2', '1.3'], '1.2', ok('1.3', 0, 1, 10)],
    ['calendar style: 2024.01.15', ['2024.01.15', '2025.06.01', '2026.02.10'], '2024.01.15', ok('2026.02.10', 2, 2, 10)],
    ['a fourth part parses and compares', ['1.2.3.4', '1.2.3.5'], '1.2.3.4', ok('1.2.3.5', 0, 0, 10)],
    ['major-only tags are floating: 20, v2, 20-alpine never count', ['20', 'v2', '20-alpine', '19.1', '19.2'], '19.1', ok('19.2', 0, 1, 10)],
    ['a deployed major-only tag does not parse', ['20', '20.1'], '20', { unknown: 'does not parse: a major-only tag is floating' }],
    ['Java GA naming: jdk-21+35 is 21.0.0', ['jdk-21+35', 'jdk-21.0.1+12', 'jdk-22+36'], 'jdk-21+35', ok('jdk-22+36', 1, 1, 10)],
    ['a major of six or more digits does not parse: 20240911.1, 20260101', ['20240911.1', '20260101', '1.2.0', '1.3.0'], '1.2.0', ok('1.3.0', 0, 1, 10)],
    ['... nor deployed', ['1.2.0'], '20260101', { unknown: 'has 6 or more digits' }],
    ['a prerelease keyword glued to the version: 1.23rc1', ['1.22.0', '1.23rc1'], '1.22.0', ok('1.23rc1', 0, 1, 10), { stableOnly: false }],
    ['... 8.4.0alpha1 is a prerelease', ['8.3.0', '8.4.0alpha1'], '8.3.0', ok('8.3.0', 0, 0, 0)],
    ['... 2022.04.2beta below 2022.04.2', ['2022.04.2beta', '2022.04.2'], '2022.04.2beta', ok('2022.04.2', 0, 0, 10), { stableOnly: false }],
    ['any other letter directly after the version does not parse', ['1.2.3', '1.2.4a'], '1.2.3', ok('1.2.3', 0, 0, 0)],
    ['tags that do not parse never count as latest', ['latest', 'stable', 'main', 'sha-abc1234', '1.0.0'], '1.0.0', ok('1.0.0', 0, 0, 0)],
    ['the tag filter applies first', ['v1.0.0', 'v2.0.0', 'v1.1.0'], 'v1.0.0', ok('v1.1.0', 0, 1, 10), { tagFilter: '^v1\\.' }],
  ]],
  ['section 4, families', [
    ['`v` and no prefix are the same family: 1.2.0 = v1.2.0', ['v1.2.0', '1.3.0'], '1.2.0', ok('1.3.0', 0, 1, 10)],
    ['controller-v1.10.1 and helm-chart-4.10.1 never compete', ['controller-v1.10.1', 'helm-chart-4.10.1', 'helm-chart-6.0.0'], 'controller-v1.10.1', ok('controller-v1.10.1', 0, 0, 0)],
    ['the only family gathered is used: a manual 2.3.0 against release-2.4.0', ['release-2.3.0', 'release-2.4.0'], '2.3.0', ok('release-2.4.0', 0, 1, 10)],
    ['... and with the deployed release missing, it is unknown within that family', ['release-2.4.0'], '2.3.0', { unknown: 'is not among the 1 gathered release of family "release-"', latest: 'release-2.4.0' }],
    ['two families and none the deployed one: unknown, naming them', ['controller-v1.10.1', 'helm-chart-4.10.1'], '1.10.1', { unknown: 'none of variant ""; the gathered tags are of families "controller-", "helm-chart-"' }],
  ]],
  ['section 4, build numbers', [
    ['21.0.3_9 is build 9 of 21.0.3: a newer build is the latest', ['21.0.3_9', '21.0.3_10'], '21.0.3_9', ok('21.0.3_10', 0, 0, 10)],
    ['17.0-20240522: the dated build is a build, not a variant', ['17.0-20240522', '17.0-20240924'], '17.0-20240522', ok('17.0-20240924', 0, 0, 10)],
    ['3.9.5-0: build 0', ['3.9.5-0', '3.9.5-1', '3.10.0-0'], '3.9.5-0', ok('3.10.0-0', 0, 1, 10)],
    [
      'days_behind runs from the deployed build\'s own date',
      [['17.0-20240522', { published: 280 }], ['17.0-20240924', { published: 160 }]],
      '17.0-20240522',
      ok('17.0-20240924', 0, 0, 280),
    ],
    ['odoo\'s 17.0 beside 17.0-20240924 is an alias: never the latest', ['17.0-20240522', '17.0-20240924', '17.0'], '17.0-20240924', ok('17.0-20240924', 0, 0, 0)],
    [
      'deployed, 17.0 is taken as its newest build',
      ['17.0', ['17.0-20240522', { published: 280 }], ['17.0-20240924', { published: 160 }], ['18.0', { published: 30 }], ['18.0-20241001', { published: 30 }]],
      '17.0',
      ok('18.0-20241001', 1, 1, 160),
    ],
  ]],
  ['section 4, prerelease or variant', [
    ['rc.1, rc2, beta2, SNAPSHOT, nightly.20260101, preview.1 are prereleases', ['1.0.0', '1.1.0-rc.1', '1.1.0-rc2', '1.1.0-beta2', '1.1.0-SNAPSHOT', '1.1.0-nightly.20260101', '1.1.0-preview.1'], '1.0.0', ok('1.0.0', 0, 0, 0)],
    ['... and count with stable only off', ['1.0.0', '1.1.0-rc.1', '1.1.0-rc2', '1.1.0-beta2'], '1.0.0', ok('1.1.0-rc2', 0, 1, 10), { stableOnly: false }],
    ['devel, prefork, developer are variants, not prereleases', ['1.5.0-devel', '1.6.0-devel', '1.6.0'], '1.5.0-devel', ok('1.6.0-devel', 0, 1, 10)],
    ['... prefork', ['2.4.58-prefork', '2.4.59-prefork'], '2.4.58-prefork', ok('2.4.59-prefork', 0, 0, 10)],
    ['... developer', ['1.2.3-developer', '1.3.0-developer'], '1.2.3-developer', ok('1.3.0-developer', 0, 1, 10)],
    ['7.4-rc2-alpine is a prerelease of variant alpine', ['7.2.5-alpine', '7.4-rc2-alpine', '7.4.1'], '7.2.5-alpine', ok('7.2.5-alpine', 0, 0, 0)],
    ['11.7.1-noble-rc is a prerelease of variant noble', ['11.7.0-noble', '11.7.1-noble-rc', '11.7.1'], '11.7.0-noble', ok('11.7.0-noble', 0, 0, 0)],
    ['a release the source flags as prerelease is one too', ['v1.0.0', ['v1.1.0', { prerelease: true }]], 'v1.0.0', ok('v1.0.0', 0, 0, 0)],
    ['variants alpine, bookworm, alpine-slim, perl, jdk-jammy never mix', ['1.25.3-alpine', '1.27.0-bookworm', '1.27.0-alpine-slim', '1.27.0-perl', '1.27.0', '1.26.0-alpine'], '1.25.3-alpine', ok('1.26.0-alpine', 0, 1, 10)],
    ['within a prerelease the numbers compare numerically: rc.12 > rc.9', ['2.0.0-rc.9', '2.0.0-rc.12', '1.9.0'], '2.0.0-rc.9', ok('2.0.0-rc.12', 0, 0, 10), { stableOnly: false }],
    ['stable_only excludes prereleases from the latest lookup and from counting', ['1.2.0', '1.3.0-rc.1', '1.4.0-rc.1', '1.3.0'], '1.2.0', ok('1.3.0', 0, 1, 10)],
  ]],
  ['section 4, floating two-part tags', [
    ['v3.1 with a 3.1.x tag no later is an alias: not latest', ['v3.0.4', 'v3.1', 'v3.1.0', 'v3.1.2'], 'v3.0.4', ok('v3.1.2', 0, 1, 10)],
    ['3.1-alpine beside 3.1.2-alpine is an alias', ['3.0.4-alpine', '3.1-alpine', '3.1.2-alpine'], '3.0.4-alpine', ok('3.1.2-alpine', 0, 1, 10)],
    ['prereleases of the line make an alias too', ['v3.0.4', 'v3.1', 'v3.1.0-rc.1'], 'v3.0.4', ok('v3.0.4', 0, 0, 0)],
    ['equal dates count as no later', [['v3.0.4', { seen: 20 }], ['v3.1', { seen: 5 }], ['v3.1.0', { seen: 5 }]], 'v3.0.4', ok('v3.1.0', 0, 1, 20)],
    ['a deployed alias is the highest release of its line', ['v3.1', ['v3.1.0', { published: 90 }], ['v3.1.2', { published: 40 }], 'v3.2.0'], 'v3.1', ok('v3.2.0', 0, 1, 40)],
    ['... that stable_only allows', ['v3.1', 'v3.1.0', 'v3.1.3-rc.1', 'v3.2.0'], 'v3.1', ok('v3.2.0', 0, 1, 10)],
    ['... none: unknown', ['v3.1', 'v3.1.0-rc.1', 'v3.2.0'], 'v3.1', { unknown: 'is a moving alias of line 3.1, which has no release that stable only allows', latest: 'v3.2.0' }],
    ['a deployed two-part version no tag carries is an alias when its line has x.y.z', ['3.1.0', '3.1.4', '3.2.0'], '3.1', ok('3.2.0', 0, 1, 10)],
    ['otherwise a two-part tag is a release: PostgreSQL 16.2 matches a deployed 16.2.0', ['16.2', '16.3', '17.0'], '16.2.0', ok('17.0', 1, 2, 10)],
    [
      'Jenkins\' weekly 2.555, published before its LTS 2.555.1, is a release',
      [['2.555', { published: 60 }], ['2.555.1', { published: 30 }]],
      '2.555',
      ok('2.555.1', 0, 0, 60),
    ],
  ]],
  ['section 4, deployed version, latest and the rules', [
    ['1.2.0 matches tag v1.2.0', ['v1.2.0', 'v1.8.0'], '1.2.0', ok('v1.8.0', 0, 1, 10)],
    ['a deployed version without a build matches the release without one', [['1.2.3', { published: 50 }], ['1.2.3+build.1', { published: 20 }]], '1.2.3', ok('1.2.3+build.1', 0, 0, 50)],
    [
      'v3.0.2 and 3.0.2: the date is the earliest of theirs',
      [['v3.0.2', { published: 100 }], ['3.0.2', { published: 130 }], ['v3.1.0', { published: 10 }]],
      'v3.0.2',
      ok('v3.1.0', 0, 1, 130),
    ],
    ['latest: the highest version, then the highest build', ['1.2.0', '1.3.0+5', '1.3.0+12', '1.3.0'], '1.2.0', ok('1.3.0+12', 0, 1, 10)],
    ['days_behind: 0 when deployed >= latest', [['1.3.0', { published: 400 }]], '1.3.0', ok('1.3.0', 0, 0, 0)],
    ['days_behind: first gathered without a publish date', [['16.2-alpine', { seen: 65 }], '16.3-alpine'], '16.2-alpine', ok('16.3-alpine', 0, 1, 65)],
    ['majors_behind: latest.major - deployed.major', ['v1.4.0', 'v2.0.0', 'v3.1.2'], 'v1.4.0', ok('v3.1.2', 2, 2, 10)],
    ['minors_behind: on 1.2 with 1.3, 1.5, 1.8 released: 3', ['1.2.0', '1.3.0', '1.5.0', '1.8.0'], '1.2.0', ok('1.8.0', 0, 3, 10)],
    ['minors_behind: with every minor up to 1.8 released: 6', ['1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0'], '1.2.0', ok('1.8.0', 0, 6, 10)],
    ['minors_behind: ordered by version, not date', [['1.8.0', { published: 300 }], ['1.3.0', { published: 10 }], ['1.2.0', { published: 400 }]], '1.2.0', ok('1.8.0', 0, 2, 400)],
    ['with stable_only off, a prerelease\'s line counts', ['1.2.0', '1.3.0', '1.4.0-rc.1'], '1.2.0', ok('1.4.0-rc.1', 0, 2, 10), { stableOnly: false }],
    ['a deployed version that does not parse is unknown', ['1.2.0'], 'latest', { unknown: 'does not parse', latest: null }],
    ['one not among the gathered releases is unknown', ['1.2.0', '1.3.0'], '1.2.5', { unknown: 'is not among the 2 gathered releases', latest: '1.3.0' }],
    ['one the tag filter excludes is not gathered', ['v1.2.0', 'v1.3.0', '1.1.0'], '1.1.0', { unknown: 'is not among the 2 gathered releases', latest: 'v1.3.0' }, { tagFilter: '^v' }],
    ['versions show as gathered or entered: v1.8.0, 16.2-alpine', ['16.2-alpine', 'v1.8.0', '16.3-alpine'], '16.2-alpine', ok('16.3-alpine', 0, 1, 10)],
  ]],
  ['issue 12: the tag lists that gave wrong answers', [
    ['ingress-nginx: the controller is not behind the Helm chart', INGRESS_NGINX, 'controller-v1.10.1', ok('controller-v1.12.0', 0, 2, 10)],
    ['ingress-nginx: the chart within its own family', INGRESS_NGINX, 'helm-chart-4.10.1', ok('helm-chart-4.12.0', 0, 2, 10)],
    ['ingress-nginx: a bare v1.10.1 with a tag filter on the controller', INGRESS_NGINX, 'v1.10.1', ok('controller-v1.12.0', 0, 2, 10), { tagFilter: '^controller-' }],
    ['client-go: v0.29.3 is not a major behind kubernetes-1.31.1', CLIENT_GO, 'v0.29.3', ok('v0.31.1', 0, 2, 10)],
    ['client-go: kubernetes-1.29.3 within its family', CLIENT_GO, 'kubernetes-1.29.3', ok('kubernetes-1.31.1', 0, 1, 10)],
    ['Go module: api/v1.8.0 beside v1.9.0', GO_MODULE, 'api/v1.8.0', ok('api/v1.8.2', 0, 0, 10)],
    ['Go module: the root module v1.8.0', GO_MODULE, 'v1.8.0', ok('v1.9.0', 0, 1, 10)],
    ['Ubuntu: 22.04 is not twenty million majors behind', UBUNTU, '22.04', ok('24.04', 2, 1, 10)],
    ['Ubuntu: jammy-20240911.1 does not parse', UBUNTU, 'jammy-20240911.1', { unknown: 'does not parse: the major 20240911 has 6 or more digits' }],
    ['odoo: a dated build is behind the newer builds', ODOO, '17.0-20240522', ok('18.0-20241001', 1, 1, 10)],
    ['odoo: within one line too', ODOO.slice(0, 5), '17.0-20240522', ok('17.0-20240924', 0, 0, 10)],
    ['eclipse-temurin: 21.0.3_9-jdk-jammy parses and compares', TEMURIN, '21.0.3_9-jdk-jammy', ok('22.0.2_9-jdk-jammy', 1, 1, 10)],
    ['eclipse-temurin: a build-less deployed 21.0.4-jdk-jammy is its newest build', TEMURIN, '21.0.4-jdk-jammy', ok('22.0.2_9-jdk-jammy', 1, 1, 10)],
    ['Java: jdk-21+35', JDK, 'jdk-21+35', ok('jdk-22+36', 1, 1, 10)],
    ['11.7.1-noble-rc is a prerelease of noble, not a variant', POSTGIS, '11.7.0-noble', ok('11.7.1-noble', 0, 0, 10)],
    ['... and counts with stable only off', POSTGIS, '11.7.0-noble', ok('11.8.0-noble-rc', 0, 1, 10), { stableOnly: false }],
    ['traefik: v3.2 does not count as a release of its own', TRAEFIK, 'v3.0.4', ok('v3.2.0', 0, 2, 10)],
    ['traefik: a deployed v3.1 is v3.1.2', TRAEFIK, 'v3.1', ok('v3.2.0', 0, 1, 10)],
    [
      'v3.0.2 and 3.0.2: days count from the earlier',
      [['v3.0.2', { published: 100 }], ['3.0.2', { seen: 120 }], ['v3.1.0', { published: 10 }]],
      '3.0.2',
      ok('v3.1.0', 0, 1, 120),
    ],
  ]],
];
