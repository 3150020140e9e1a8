/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RULE_TYPES, severityFor, type RuleType } from '@planekeeper/domain';
import { ok, SECTION_4_CASES, type CaseOptions, type Ok, type Tag, type Unknown } from '../../packages/domain/test/section-4-cases.ts';
import { createProtocolAgent, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';

// Every example of DESIGN.md section 4 and every case of issue 12 (the domain's own table), end to
// end through real processes: an agent reports the tags as a gather result, the deployed version is
// entered by hand, and one alert config per rule type (thresholds 1, 2, 3) gets its evaluation, with
// its explanation, and its alert, as section 4 says. One stack for the file: every config is made,
// then the file waits once for all their evaluations.

const DAY_MS = 86_400_000;
/** The file's clock: tags are dated in whole days before it. */
const NOW = Date.now();
const THRESHOLDS = { moderate: 1, high: 2, critical: 3 };

interface Case {
  group: string;
  name: string;
  tags: Tag[];
  deployed: string;
  expected: Ok | Unknown;
  options: CaseOptions;
  /** Reported without publish dates: days count from when the gather was ingested. */
  undated?: boolean;
}

const CASES: Case[] = [
  ...SECTION_4_CASES.flatMap(([group, rows]) => rows.map(([name, tags, deployed, expected, options = {}]): Case => ({ group, name, tags, deployed, expected, options }))),
  // The one date the table cannot give through an agent (it dates tags by when they were first
  // gathered: here, now): a tag without a publish date.
  {
    group: 'end to end', name: 'a release without a publish date counts from when it was first gathered, and the evaluation says so',
    tags: ['2.0.0', '2.1.0'], deployed: '2.0.0', expected: ok('2.1.0', 0, 1, 0), options: {}, undated: true,
  },
];

/**
 * A tag as the agent reports it. A first-gathered date cannot be made through the agent API, so a
 * tag the table dates only by `seen` is reported as published then: the answers are the same, as
 * both count from the release's date.
 */
function reported(tag: Tag, undated: boolean) {
  const [name, { published, seen = 10, prerelease = false }] = typeof tag === 'string' ? [tag, {}] : tag;
  return {
    tag: name,
    publishedAt: undated ? null : new Date(NOW - (published ?? seen) * DAY_MS).toISOString(),
    prerelease,
    url: `https://github.com/section-4/releases/tag/${encodeURIComponent(name)}`,
  };
}

let stack: Stack;
/** The config of each case under each rule type, by case. */
const configs = new Map<Case, Record<RuleType, string>>();
const evaluations = new Map<string, any>();
const openAlerts = new Map<string, any[]>();

async function created(route: string, body: unknown): Promise<string> {
  const answer = await stack.call('POST', route, body);
  if (answer.status !== 201) throw new Error(`POST ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}

/** Runs `work` over `items`, a few at a time. */
async function inChunks<T>(items: readonly T[], work: (item: T, index: number) => Promise<void>, size = 16): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, i) => work(item, start + i)));
  }
}

/** Every item of a list route, page by page. */
async function everything(route: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const answer = await stack.call('GET', `${route}${route.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    if (answer.status !== 200) throw new Error(`GET ${route}: ${answer.status}`);
    items.push(...answer.body.items);
    cursor = answer.body.nextCursor;
  } while (cursor);
  return items;
}

/** Claims gather tasks and reports each case's tags, until every gather job has been answered. */
async function reportGathers(agent: ProtocolAgent, byGatherJob: Map<string, Case>): Promise<void> {
  const answered = new Set<string>();
  const deadline = Date.now() + 60_000;
  while (answered.size < byGatherJob.size) {
    if (Date.now() > deadline) throw new Error(`only ${answered.size} of ${byGatherJob.size} gather tasks were handed out`);
    for (const task of await agent.claim(20, 1)) {
      const entry = byGatherJob.get(task.jobId);
      if (!entry) throw new Error(`a task for an unknown job ${task.jobId}`);
      const answer = await agent.result(task.id, task.leaseToken, { releases: entry.tags.map((tag) => reported(tag, entry.undated === true)) });
      if (answer.status !== 202) throw new Error(`result of ${entry.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      answered.add(task.jobId);
    }
  }
}

beforeAll(async () => {
  stack = await startStack();
  const agentKey = await stack.call('POST', '/api/v1/api-keys', { name: 'section 4 agent', role: 'agent' });
  const agent = createProtocolAgent({ apiUrl: stack.api().url, key: agentKey.body.key, name: 'section-4-agent', capabilities: ['gather'] });

  const rules = new Map<string, string>();
  for (const stableOnly of [true, false]) {
    for (const type of RULE_TYPES) rules.set(`${type} ${stableOnly}`, await created('/api/v1/rules', { name: `${type}, stable only ${stableOnly}`, type, ...THRESHOLDS, stableOnly }));
  }

  // The gathers first, each job's tags reported by the agent and ingested ...
  const gatherJobs = new Map<Case, string>();
  await inChunks(CASES, async (entry, i) => {
    const tagFilter = entry.options.tagFilter === undefined ? {} : { tagFilter: entry.options.tagFilter };
    gatherJobs.set(entry, await created('/api/v1/gather-jobs', { name: `case ${i}`, sourceType: 'github_release', source: { owner: 'section-4', repo: `case-${i}` }, schedule: '0 0 1 1 *', ...tagFilter }));
  });
  await reportGathers(agent, new Map([...gatherJobs].map(([entry, id]) => [id, entry])));
  const ingested = new Set<string>();
  await eventually('every gather result ingested', async () => {
    for (const [entry, id] of gatherJobs) {
      if (ingested.has(id)) continue;
      if ((await everything(`/api/v1/gather-jobs/${id}/releases`)).length !== entry.tags.length) return undefined;
      ingested.add(id);
    }
    return true;
  }, 60_000);

  // ... then the deployed versions and the configs: each config's first evaluation has it all.
  await inChunks(CASES, async (entry, i) => {
    const scrapeJobId = await created('/api/v1/scrape-jobs', { name: `deployed ${i}`, parser: 'manual' });
    const version = await stack.call('PUT', `/api/v1/scrape-jobs/${scrapeJobId}/version`, { version: entry.deployed });
    if (version.status >= 300) throw new Error(`version of ${entry.name}: ${version.status} ${JSON.stringify(version.body)}`);
    const ids = {} as Record<RuleType, string>;
    for (const type of RULE_TYPES) {
      const ruleId = rules.get(`${type} ${entry.options.stableOnly ?? true}`);
      ids[type] = await created('/api/v1/alert-configs', { name: `case ${i} ${type}`, gatherJobId: gatherJobs.get(entry), scrapeJobId, ruleId });
    }
    configs.set(entry, ids);
  });

  const wanted = [...configs.values()].flatMap((ids) => Object.values(ids));
  await eventually(`the evaluations of ${wanted.length} configs`, async () => {
    const items = await everything('/api/v1/evaluations');
    for (const item of items) evaluations.set(item.alertConfigId, item);
    return wanted.every((id) => evaluations.has(id)) ? true : undefined;
  }, 90_000);
  for (const alert of await everything('/api/v1/alerts?status=open')) openAlerts.set(alert.alertConfigId, [...(openAlerts.get(alert.alertConfigId) ?? []), alert]);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const BEHIND: Record<RuleType, keyof Ok> = { days_behind: 'days', majors_behind: 'majors', minors_behind: 'minors' };

function checkCase(entry: Case): void {
  const ids = configs.get(entry);
  if (!ids) throw new Error('the config of this case was not made');
  for (const type of RULE_TYPES) {
    const evaluation = evaluations.get(ids[type]);
    const alerts = openAlerts.get(ids[type]) ?? [];
    const where = { case: entry.name, type };
    if ('unknown' in entry.expected) {
      expect({ ...where, ...evaluation }).toMatchObject({ ...where, status: 'unknown', reason: expect.stringContaining(entry.expected.unknown), behindBy: null, severity: null });
      if (entry.expected.latest !== undefined) expect({ ...where, latestVersion: evaluation.latestVersion }).toEqual({ ...where, latestVersion: entry.expected.latest });
      expect({ ...where, explanation: evaluation.explanation }).toMatchObject({ ...where, explanation: { stableOnly: entry.options.stableOnly ?? true, skipped: expect.any(Array) } });
      // Unknown leaves the alert alone: there was none.
      expect({ ...where, alerts }).toEqual({ ...where, alerts: [] });
      continue;
    }
    const behindBy = entry.expected[BEHIND[type]] as number;
    const severity = severityFor(behindBy, THRESHOLDS);
    expect({ ...where, ...evaluation }).toMatchObject({ ...where, status: 'ok', deployedVersion: entry.deployed, latestVersion: entry.expected.latest, behindBy, severity });
    // days_behind says where it counted from whenever the deployed release is behind (even by 0 whole days).
    const isBehind = entry.expected.days > 0 || entry.expected.majors > 0 || entry.expected.minors > 0;
    const counted = type === 'days_behind' && isBehind ? { source: entry.undated ? 'first_seen' : 'published', tag: expect.any(String), at: expect.any(String) } : null;
    expect({ ...where, explanation: evaluation.explanation }).toMatchObject({
      ...where,
      explanation: {
        family: expect.any(String), variant: expect.any(String), stableOnly: entry.options.stableOnly ?? true,
        deployed: expect.objectContaining({ tag: expect.any(String) }), latest: expect.objectContaining({ tag: entry.expected.latest }),
        countedFrom: counted,
      },
    });
    const alert = severity === null ? [] : [expect.objectContaining({ status: 'open', severity, deployedVersion: entry.deployed, latestVersion: entry.expected.latest, behindBy })];
    expect({ ...where, alerts }).toEqual({ ...where, alerts: alert });
  }
}

const groups = [...new Set(CASES.map((entry) => entry.group))];
describe.each(groups)('%s, through the API', (group) => {
  it.each(CASES.filter((entry) => entry.group === group).map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => checkCase(entry));
});

describe('the evaluation explains its answer', () => {
  const find = (name: string) => {
    const entry = CASES.find((c) => c.name === name);
    if (!entry) throw new Error(`no case ${name}`);
    return configs.get(entry)!;
  };

  it('ingress-nginx: compared within the controller\'s family, the Helm chart\'s tags skipped as another family, days from the publish date', () => {
    const ids = find('ingress-nginx: the controller is not behind the Helm chart');
    expect(evaluations.get(ids.days_behind).explanation).toEqual({
      family: 'controller-', familyChosenBy: 'deployed', variant: '', stableOnly: true,
      deployed: { tag: 'controller-v1.10.1', version: '1.10.1', resolvedAs: 'release', carriedBy: ['controller-v1.10.1'] },
      latest: { tag: 'controller-v1.12.0', version: '1.12.0' },
      counted: 3,
      skipped: [{ reason: 'other_family', count: 3, sample: ['helm-chart-4.12.0', 'helm-chart-4.11.2', 'helm-chart-4.10.1'] }],
      countedFrom: { source: 'published', tag: 'controller-v1.10.1', at: new Date(NOW - 10 * DAY_MS).toISOString() },
    });
  });

  it('traefik: a deployed v3.1 is taken as v3.1.2, the moving two-part tags skipped', () => {
    const { majors_behind: id } = find('traefik: a deployed v3.1 is v3.1.2');
    expect(evaluations.get(id).explanation).toMatchObject({
      deployed: { tag: 'v3.1.2', resolvedAs: 'line_alias' },
      skipped: [{ reason: 'line_alias', count: 2, sample: ['v3.2', 'v3.1'] }],
    });
  });

  it('without a publish date, days count from the first gathering, and the evaluation says so', () => {
    const { days_behind: id } = find('a release without a publish date counts from when it was first gathered, and the evaluation says so');
    expect(evaluations.get(id)).toMatchObject({ dateSource: 'first_seen', notes: [expect.stringContaining('no publish date')], explanation: { countedFrom: { source: 'first_seen', tag: '2.0.0' } } });
  });
});
