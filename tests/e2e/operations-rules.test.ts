/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProtocolAgent, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';

// Issue 19 end to end through real processes (one stack for the file): an agent reports a gather
// job's releases, deployed versions are entered by hand, and the rules-engine answers.

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;
const NOW = Date.now();

let stack: Stack;
let agent: ProtocolAgent;
/** The rules-engine's settings, read again when it restarts: the test moves its clock. */
const rulesEngineEnv: Record<string, string> = { RULES_ENGINE_EOL_CHECK_SECONDS: '0.5', RULES_ENGINE_CLOCK_OFFSET_SECONDS: '0' };

async function created(route: string, body: unknown): Promise<any> {
  const answer = await stack.call('POST', route, body);
  if (answer.status !== 201) throw new Error(`POST ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A gather job whose releases (tag -> publish date) the agent reports, waited for until ingested. */
async function gathered(name: string, releases: Record<string, Date>, extra: Record<string, unknown> = {}): Promise<string> {
  const reported = Object.entries(releases).map(([tag, at]) => ({ tag, publishedAt: at.toISOString(), prerelease: false, url: `https://example.test/${tag}` }));
  return gatheredJob({ name, sourceType: 'github_release', source: { owner: 'ops', repo: name }, schedule: '0 0 1 1 *', ...extra }, reported);
}

/** Creates a gather job, answers its task with `releases`, and waits until they are ingested. */
async function gatheredJob(body: Record<string, unknown>, releases: unknown[]): Promise<string> {
  const name = String(body.name);
  const job = await created('/api/v1/gather-jobs', body);
  await eventually(`the gather task of ${name}`, async () => {
    for (const task of await agent.claim(5, 1)) {
      if (task.jobId !== job.id) throw new Error(`a task of another job: ${task.jobId}`);
      const answer = await agent.result(task.id, task.leaseToken, { releases });
      if (answer.status !== 202) throw new Error(`result: ${answer.status}`);
    }
    const listed = await stack.call('GET', `/api/v1/gather-jobs/${job.id}/releases?limit=500`);
    return listed.body.items.length === releases.length ? true : undefined;
  });
  return job.id;
}

async function deployed(name: string, version: string): Promise<string> {
  const job = await created('/api/v1/scrape-jobs', { name, parser: 'manual' });
  const answer = await stack.call('PUT', `/api/v1/scrape-jobs/${job.id}/version`, { version });
  if (answer.status >= 300) throw new Error(`version: ${answer.status}`);
  return job.id;
}

/** The config's evaluation once `ready` holds for it. */
async function evaluationOf(alertConfigId: string, ready: (evaluation: any) => boolean): Promise<any> {
  let last: unknown;
  try {
    return await eventually(`the evaluation of ${alertConfigId}`, async () => {
      const answer = await stack.call('GET', `/api/v1/evaluations?alertConfigId=${alertConfigId}`);
      last = answer.body.items[0];
      return last && ready(last) ? last : undefined;
    });
  } catch (error) {
    throw new Error(`${String(error)}; last evaluation: ${JSON.stringify(last)}`);
  }
}

async function openAlertOf(alertConfigId: string): Promise<any> {
  const answer = await stack.call('GET', `/api/v1/alerts?status=open&alertConfigId=${alertConfigId}`);
  return answer.body.items[0];
}

beforeAll(async () => {
  stack = await startStack({ envFor: { 'rules-engine': rulesEngineEnv } });
  const key = await stack.call('POST', '/api/v1/api-keys', { name: 'ops agent', role: 'agent' });
  agent = createProtocolAgent({ apiUrl: stack.api().url, key: key.body.key, name: 'ops-agent', capabilities: ['gather'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('skip a release', () => {
  it('skipping the latest release lowers the alert to the next-highest release\'s lag, and the evaluation lists it and says why', async () => {
    const gatherJobId = await gathered('widget', {
      'v1.2.0': new Date(NOW - 2 * YEAR_MS),
      'v1.3.0': new Date(NOW - YEAR_MS),
      'v1.4.0': new Date(NOW),
    });
    const scrapeJobId = await deployed('widget prod', '1.2.0');
    const rule = await created('/api/v1/rules', { name: 'minors', type: 'minors_behind', moderate: 1, high: 2, critical: 3 });
    const config = await created('/api/v1/alert-configs', { name: 'widget prod', gatherJobId, scrapeJobId, ruleId: rule.id });

    const before = await evaluationOf(config.id, (e) => e.status === 'ok');
    expect(before).toMatchObject({ latestVersion: 'v1.4.0', behindBy: 2, severity: 'high', libyear: 2, skipped: [] });
    expect(await openAlertOf(config.id)).toMatchObject({ severity: 'high', latestVersion: 'v1.4.0', behindBy: 2 });

    const patched = await stack.call('PATCH', `/api/v1/alert-configs/${config.id}`, { skipVersions: [{ versions: '1.4.0', reason: 'breaks the widget API' }] });
    expect(patched.status).toBe(200);
    const after = await evaluationOf(config.id, (e) => e.latestVersion === 'v1.3.0');
    expect(after).toMatchObject({ status: 'ok', behindBy: 1, severity: 'moderate', libyear: 1, skipped: [{ tag: 'v1.4.0', versions: '1.4.0', reason: 'breaks the widget API' }] });
    expect(after.notes.join(' ')).toContain('v1.4.0 (breaks the widget API)');
    const alert = await eventually('the alert lowered', async () => {
      const open = await openAlertOf(config.id);
      return open?.latestVersion === 'v1.3.0' ? open : undefined;
    });
    expect(alert).toMatchObject({ severity: 'moderate', behindBy: 1 });

    const bad = await stack.call('PATCH', `/api/v1/alert-configs/${config.id}`, { skipVersions: [{ versions: '>=1.4 <two', reason: '' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('skipVersions.0.versions');
  }, 90_000);
});

describe('libyear', () => {
  it('a libyear rule alerts on the years between the deployed release and the latest', async () => {
    const gatherJobId = await gathered('gadget', { 'v5.0.0': new Date(NOW - 3 * YEAR_MS), 'v6.0.0': new Date(NOW - 0.5 * YEAR_MS) });
    const scrapeJobId = await deployed('gadget prod', '5.0.0');
    const rule = await created('/api/v1/rules', { name: 'libyear', type: 'libyear', moderate: 0.5, high: 1, critical: 2.5 });
    const config = await created('/api/v1/alert-configs', { name: 'gadget prod', gatherJobId, scrapeJobId, ruleId: rule.id });
    const evaluation = await evaluationOf(config.id, (e) => e.status === 'ok');
    expect(evaluation).toMatchObject({ latestVersion: 'v6.0.0', behindBy: 2.5, libyear: 2.5, severity: 'critical' });
    expect(await openAlertOf(config.id)).toMatchObject({ severity: 'critical', behindBy: 2.5 });
  }, 90_000);
});

/** A calendar date (UTC) `days` from today. */
function dateIn(days: number): string {
  return new Date(NOW + days * DAY_MS).toISOString().slice(0, 10);
}

function cycle(name: string, latestVersion: string, eolDate: string) {
  return {
    tag: latestVersion, publishedAt: new Date(NOW - 30 * DAY_MS).toISOString(), prerelease: false, url: `https://endoflife.date/kubernetes#${name}`,
    cycle: { name, label: name, releaseDate: dateIn(-400), latestVersion, latestDate: dateIn(-30), lts: false, supportEnds: null, supportEnded: false, eolDate, eol: false, extendedSupportEnds: null, maintained: true },
  };
}

// Last in the file: it moves the rules-engine's clock for good.
describe('end of life', () => {
  it('an EOL date passing escalates the alert, with nothing new upstream (clock moved, daily re-evaluation)', async () => {
    const eolGatherJobId = await gatheredJob(
      { name: 'kubernetes cycles', sourceType: 'endoflife', source: { product: 'kubernetes' }, schedule: '0 0 1 1 *' },
      [cycle('1.28', '1.28.9', dateIn(10)), cycle('1.29', '1.29.3', dateIn(200))],
    );
    const gatherJobId = await gathered('kubernetes', { 'v1.28.4': new Date(NOW - 100 * DAY_MS), 'v1.28.9': new Date(NOW - 30 * DAY_MS), 'v1.29.3': new Date(NOW - 20 * DAY_MS) });
    const scrapeJobId = await deployed('cluster eu-1', '1.28.4');
    const rule = await created('/api/v1/rules', { name: 'end of life', type: 'eol', moderate: 90, high: 30, critical: 0 });

    const notEol = await stack.call('POST', '/api/v1/alert-configs', { name: 'wrong link', gatherJobId, scrapeJobId, ruleId: rule.id, eolGatherJobId: gatherJobId });
    expect(notEol.status).toBe(400);
    expect(notEol.body.error.details).toEqual([{ path: 'eolGatherJobId', message: expect.stringContaining('must be an endoflife gather job') }]);
    const unlinked = await created('/api/v1/alert-configs', { name: 'eu-1 unlinked', gatherJobId, scrapeJobId, ruleId: rule.id });
    const config = await created('/api/v1/alert-configs', { name: 'eu-1 kubernetes', gatherJobId, scrapeJobId, ruleId: rule.id, eolGatherJobId });
    expect(config.eolGatherJobId).toBe(eolGatherJobId);

    const unknown = await evaluationOf(unlinked.id, (e) => e.status === 'unknown');
    expect(unknown.reason).toContain('eolGatherJobId');
    const before = await evaluationOf(config.id, (e) => e.status === 'ok');
    expect(before).toMatchObject({ severity: 'high', behindBy: 10, latestVersion: 'v1.29.3', eol: { cycle: '1.28', eolDate: dateIn(10), daysLeft: 10 } });
    expect(await openAlertOf(config.id)).toMatchObject({ severity: 'high' });

    rulesEngineEnv.RULES_ENGINE_CLOCK_OFFSET_SECONDS = String(11 * 86_400);
    await stack.kill('rules-engine');
    await stack.start('rules-engine');
    const after = await evaluationOf(config.id, (e) => e.eol?.daysLeft === -1);
    expect(after).toMatchObject({ status: 'ok', severity: 'critical', behindBy: -1 });
    const alert = await eventually('the alert escalated', async () => {
      const open = await openAlertOf(config.id);
      return open?.severity === 'critical' ? open : undefined;
    });
    const events = await stack.db.selectFrom('alert_events').select(['type', 'severity']).where('alert_id', '=', alert.id).orderBy('created_at').execute();
    expect(events).toEqual([{ type: 'created', severity: 'high' }, { type: 'escalated', severity: 'critical' }]);
  }, 120_000);
});
