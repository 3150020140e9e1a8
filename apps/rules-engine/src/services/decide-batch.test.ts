import { describe, expect, it } from '@jest/globals';
import type { AlertDecision, OpenAlertState, ReleaseCandidate } from '@planekeeper/domain';
import { createRuleEvaluator, decideBatch, type ConfigDecision, type ConfigToDecide, type GatheredRelease } from './decide-batch.ts';

const now = new Date('2026-03-10T12:00:00Z');
const DAY = 86_400_000;

/** Stable releases v1.0.0 .. v1.<last>.0, one a day, the newest yesterday. */
function minorsUpTo(last: number): ReleaseCandidate[] {
  return Array.from({ length: last + 1 }, (_, minor) => {
    const date = new Date(now.getTime() - (last + 1 - minor) * DAY);
    return { tag: `v1.${minor}.0`, publishedAt: date, firstSeenAt: date, prerelease: false };
  });
}

const config = (overrides: Partial<ConfigToDecide> = {}): ConfigToDecide => ({
  id: 'config-1',
  enabled: true,
  gatherJobId: 'gather-1',
  scrapeJobId: 'scrape-1',
  rule: { type: 'minors_behind', moderate: 2, high: 4, critical: 6, stableOnly: true },
  tagFilter: null,
  ...overrides,
});

const open = (overrides: Partial<OpenAlertState> = {}): OpenAlertState => ({
  severity: 'moderate',
  deployedVersion: '1.5.0',
  latestVersion: 'v1.8.0',
  behindBy: 3,
  acknowledged: false,
  ...overrides,
});

/** `releases` with the image digests an OCI gather read for some of its tags. */
function withDigests(releases: ReleaseCandidate[], digests: Record<string, string>): GatheredRelease[] {
  return releases.map((release) => ({ ...release, digest: digests[release.tag] ?? null }));
}

/** Tags without dates of their own, as an OCI gather stores them: first gathered a day ago. */
function tagged(tags: string[]): ReleaseCandidate[] {
  const seen = new Date(now.getTime() - DAY);
  return tags.map((tag) => ({ tag, publishedAt: null, firstSeenAt: seen, prerelease: false }));
}

/** ingress-nginx: one repository, two products (the controller and its Helm chart). */
const INGRESS_NGINX = ['controller-v1.10.1', 'controller-v1.11.2', 'controller-v1.12.0', 'helm-chart-4.10.1', 'helm-chart-4.11.2', 'helm-chart-4.12.0'];

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;

/**
 * One config decided alone, with the gather job's releases, the deployed version (and the image
 * digest a kubernetes scrape read with it) and the open alert given.
 */
function decideOne(input: { config?: Partial<ConfigToDecide>; releases?: GatheredRelease[]; deployed?: string; imageDigest?: string; alert?: OpenAlertState }): ConfigDecision {
  const [decision] = decideBatch({
    configs: [config(input.config)],
    releasesByGatherJob: new Map(input.releases ? [['gather-1', input.releases]] : []),
    deployedByScrapeJob: new Map(input.deployed ? [['scrape-1', { version: input.deployed, imageDigest: input.imageDigest ?? null }]] : []),
    openAlertsByConfig: new Map(input.alert ? [['config-1', input.alert]] : []),
    evaluate: createRuleEvaluator(now),
  });
  return decision!;
}

describe('decideBatch', () => {
  type Row = [string, Parameters<typeof decideOne>[0], { evaluation: Record<string, unknown> | null; alert: Partial<AlertDecision> }];
  const rows: Row[] = [
    ['a violation without an alert opens one', { releases: minorsUpTo(8), deployed: '1.2.0' }, {
      evaluation: { status: 'ok', deployedVersion: '1.2.0', latestVersion: 'v1.8.0', behindBy: 6, severity: 'critical' },
      alert: { action: 'open', events: [{ type: 'created', severity: 'critical' }] },
    }],
    ['no violation and no alert: evaluated, nothing else', { releases: minorsUpTo(8), deployed: '1.7.0' }, {
      evaluation: { status: 'ok', behindBy: 1, severity: null },
      alert: { action: 'none', events: [] },
    }],
    ['a violation that rises escalates the open alert', { releases: minorsUpTo(8), deployed: '1.3.0', alert: open() }, {
      evaluation: { status: 'ok', behindBy: 5, severity: 'high' },
      alert: { action: 'update', events: [{ type: 'escalated', severity: 'high' }] },
    }],
    ['an acknowledged alert whose deployed version changed is unacknowledged', { releases: minorsUpTo(8), deployed: '1.6.0', alert: open({ acknowledged: true }) }, {
      evaluation: { status: 'ok', behindBy: 2, severity: 'moderate' },
      alert: { action: 'update', events: [{ type: 'unacknowledged', severity: 'moderate' }] },
    }],
    ['no violation any more resolves the open alert', { releases: minorsUpTo(8), deployed: '1.8.0', alert: open() }, {
      evaluation: { status: 'ok', behindBy: 0, severity: null },
      alert: { action: 'resolve', events: [{ type: 'resolved', severity: 'moderate' }] },
    }],
    ['no deployed version yet: unknown, the alert left alone', { releases: minorsUpTo(8), alert: open() }, {
      evaluation: { status: 'unknown', reason: 'no deployed version yet' },
      alert: { action: 'none', events: [] },
    }],
    ['no releases gathered: unknown, no alert opened', { deployed: '1.2.0' }, {
      evaluation: { status: 'unknown', deployedVersion: '1.2.0' },
      alert: { action: 'none', events: [] },
    }],
    ['a disabled config is not evaluated and its alert resolves', { config: { enabled: false }, releases: minorsUpTo(8), deployed: '1.2.0', alert: open({ severity: 'high' }) }, {
      evaluation: null,
      alert: { action: 'resolve', events: [{ type: 'resolved', severity: 'high' }] },
    }],
    ['a disabled config without an alert: nothing at all', { config: { enabled: false }, releases: minorsUpTo(8), deployed: '1.2.0' }, {
      evaluation: null,
      alert: { action: 'none', events: [] },
    }],
    ['the tag filter applies: latest among the tags it keeps', { config: { tagFilter: '^v1\\.[0-4]\\.' }, releases: minorsUpTo(8), deployed: '1.2.0' }, {
      evaluation: { status: 'ok', latestVersion: 'v1.4.0', behindBy: 2, severity: 'moderate' },
      alert: { action: 'open', events: [{ type: 'created', severity: 'moderate' }] },
    }],
    ['an image deployed by digest is the gathered tag with that digest, and says so', {
      releases: withDigests(minorsUpTo(8), { 'v1.2.0': digestA, 'v1.8.0': digestB }), deployed: digestA, imageDigest: digestA,
    }, {
      evaluation: { status: 'ok', deployedVersion: 'v1.2.0', latestVersion: 'v1.8.0', behindBy: 6, severity: 'critical', notes: [`deployed image ${digestA} is tag v1.2.0`] },
      alert: { action: 'open', events: [{ type: 'created', severity: 'critical' }] },
    }],
    ['of several tags of one image (a version, its line, latest), the highest version is taken', {
      releases: withDigests([...minorsUpTo(8), { tag: 'v1.6', publishedAt: now, firstSeenAt: now, prerelease: false }, { tag: 'latest', publishedAt: now, firstSeenAt: now, prerelease: false }], {
        'v1.6.0': digestA, 'v1.6': digestA, latest: digestA,
      }),
      deployed: digestA, imageDigest: digestA,
    }, {
      evaluation: { status: 'ok', deployedVersion: 'v1.6.0', behindBy: 2, severity: 'moderate' },
      alert: { action: 'open' },
    }],
    ['an image deployed by a digest no gathered tag has: unknown, saying why, the alert left alone', {
      releases: withDigests(minorsUpTo(8), { 'v1.8.0': digestB }), deployed: digestA, imageDigest: digestA, alert: open(),
    }, {
      evaluation: {
        status: 'unknown', deployedVersion: digestA, latestVersion: null,
        reason: `the deployed image is pinned by digest ${digestA} without a tag, and none of the 1 tags whose digest the gather job read has it`,
        explanation: expect.objectContaining({ deployed: null, stableOnly: true }),
      },
      alert: { action: 'none', events: [] },
    }],
    ['a gather job that read no digests cannot place one', { releases: minorsUpTo(8), deployed: digestA, imageDigest: digestA }, {
      evaluation: { status: 'unknown', reason: expect.stringContaining('the gather job knows no tag digests') },
      alert: { action: 'none', events: [] },
    }],
    ['an image with a tag and a digest is its tag: the digest places nothing', {
      releases: withDigests(minorsUpTo(8), { 'v1.8.0': digestA }), deployed: '1.7.0', imageDigest: digestA,
    }, {
      evaluation: { status: 'ok', deployedVersion: '1.7.0', behindBy: 1, notes: [] },
      alert: { action: 'none', events: [] },
    }],
    ['one repository, two products: the controller is compared within its own family, and an alert of the Helm chart\'s majors resolves', {
      config: { rule: { type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true } },
      releases: tagged(INGRESS_NGINX), deployed: 'controller-v1.10.1',
      alert: open({ severity: 'critical', deployedVersion: 'controller-v1.10.1', latestVersion: 'helm-chart-4.12.0', behindBy: 3 }),
    }, {
      evaluation: {
        status: 'ok', latestVersion: 'controller-v1.12.0', behindBy: 0, severity: null,
        explanation: {
          family: 'controller-', familyChosenBy: 'deployed', variant: '', stableOnly: true,
          deployed: { tag: 'controller-v1.10.1', version: '1.10.1', resolvedAs: 'release', carriedBy: ['controller-v1.10.1'] },
          latest: { tag: 'controller-v1.12.0', version: '1.12.0' },
          counted: 3,
          skipped: [{ reason: 'other_family', count: 3, sample: ['helm-chart-4.12.0', 'helm-chart-4.11.2', 'helm-chart-4.10.1'] }],
          countedFrom: null,
        },
      },
      alert: { action: 'resolve', events: [{ type: 'resolved', severity: 'critical' }] },
    }],
    ['days_behind: the explanation names the date counted from', {
      config: { rule: { type: 'days_behind', moderate: 30, high: 60, critical: 90, stableOnly: true } }, releases: minorsUpTo(8), deployed: '1.5.0',
    }, {
      evaluation: { status: 'ok', behindBy: 4, severity: null, explanation: expect.objectContaining({ countedFrom: { source: 'published', tag: 'v1.5.0', at: new Date(now.getTime() - 4 * DAY).toISOString() } }) },
      alert: { action: 'none' },
    }],
    ['an unknown evaluation still explains what the tags were', { releases: tagged(['latest', '20', 'v1.2.0']), alert: open() }, {
      evaluation: {
        status: 'unknown', reason: 'no deployed version yet',
        explanation: expect.objectContaining({ family: null, deployed: null, skipped: [{ reason: 'major_only', count: 1, sample: ['20'] }, { reason: 'unparseable', count: 1, sample: ['latest'] }] }),
      },
      alert: { action: 'none', events: [] },
    }],
  ];

  it.each(rows)('%s', (_name, input, expected) => {
    const decision = decideOne(input);
    expect(decision.alertConfigId).toBe('config-1');
    if (expected.evaluation === null) expect(decision.evaluation).toBeNull();
    else expect(decision.evaluation).toMatchObject(expected.evaluation);
    expect(decision.alert).toMatchObject(expected.alert);
  });

  it('decides each config of a batch with its own gather job, scrape job and alert, in the order given', () => {
    const decisions = decideBatch({
      configs: [
        config({ id: 'a', gatherJobId: 'g1', scrapeJobId: 's1' }),
        config({ id: 'b', gatherJobId: 'g1', scrapeJobId: 's2' }),
        config({ id: 'c', gatherJobId: 'g2', scrapeJobId: 's1', rule: { type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true } }),
      ],
      releasesByGatherJob: new Map([
        ['g1', minorsUpTo(8)],
        ['g2', [...minorsUpTo(2), { tag: 'v2.0.0', publishedAt: now, firstSeenAt: now, prerelease: false }]],
      ]),
      deployedByScrapeJob: new Map([['s1', { version: '1.2.0', imageDigest: null }], ['s2', { version: '1.8.0', imageDigest: null }]]),
      openAlertsByConfig: new Map([['b', open()]]),
      evaluate: createRuleEvaluator(now),
    });
    expect(decisions.map((d) => [d.alertConfigId, d.evaluation?.status === 'ok' ? d.evaluation.behindBy : null, d.alert.action])).toEqual([
      ['a', 6, 'open'],
      ['b', 0, 'resolve'],
      ['c', 1, 'open'],
    ]);
  });
});

describe('createRuleEvaluator', () => {
  it('evaluates a gather job, rule and deployed version once per run', () => {
    const evaluate = createRuleEvaluator(now);
    const releases = minorsUpTo(8);
    const first = evaluate(config({ id: 'a' }), '1.2.0', releases);
    expect(evaluate(config({ id: 'b', scrapeJobId: 'other' }), '1.2.0', releases)).toBe(first);
    expect(evaluate(config(), '1.3.0', releases)).not.toBe(first);
    expect(evaluate(config({ rule: { type: 'minors_behind', moderate: 1, high: 4, critical: 6, stableOnly: true } }), '1.2.0', releases)).not.toBe(first);
    expect(evaluate(config({ tagFilter: '^v' }), '1.2.0', releases)).not.toBe(first);
  });

  it('reads a gather job\'s releases once per run and tag filter: every deployed version and rule of the run is compared with the same catalog', () => {
    const evaluate = createRuleEvaluator(now);
    expect(evaluate(config(), '1.2.0', minorsUpTo(8))).toMatchObject({ latestVersion: 'v1.8.0', behindBy: 6 });
    // Releases stored after the run read them are the next run's: this run answers from its catalog.
    const later = [...minorsUpTo(8), { tag: 'v1.9.0', publishedAt: now, firstSeenAt: now, prerelease: false }];
    expect(evaluate(config(), '1.3.0', later)).toMatchObject({ latestVersion: 'v1.8.0', behindBy: 5 });
    expect(evaluate(config({ rule: { type: 'majors_behind', moderate: 1, high: 2, critical: 3, stableOnly: true } }), '1.3.0', later)).toMatchObject({ latestVersion: 'v1.8.0', behindBy: 0 });
    // Another tag filter of the same gather job is another catalog; another gather job too.
    expect(evaluate(config({ tagFilter: '^v1\\.[0-4]\\.' }), '1.2.0', later)).toMatchObject({ latestVersion: 'v1.4.0', behindBy: 2 });
    expect(evaluate(config({ gatherJobId: 'gather-2' }), '1.2.0', later)).toMatchObject({ latestVersion: 'v1.9.0', behindBy: 7 });
    expect(createRuleEvaluator(now)(config(), '1.3.0', later)).toMatchObject({ latestVersion: 'v1.9.0', behindBy: 6 });
  });
});
