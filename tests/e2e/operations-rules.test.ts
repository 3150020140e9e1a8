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

async function created(route: string, body: unknown): Promise<any> {
  const answer = await stack.call('POST', route, body);
  if (answer.status !== 201) throw new Error(`POST ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A gather job whose releases (tag -> publish date) the agent reports, waited for until ingested. */
async function gathered(name: string, releases: Record<string, Date>, extra: Record<string, unknown> = {}): Promise<string> {
  const job = await created('/api/v1/gather-jobs', { name, sourceType: 'github_release', source: { owner: 'ops', repo: name }, schedule: '0 0 1 1 *', ...extra });
  await eventually(`the gather task of ${name}`, async () => {
    for (const task of await agent.claim(5, 1)) {
      const result = { releases: Object.entries(releases).map(([tag, at]) => ({ tag, publishedAt: at.toISOString(), prerelease: false, url: `https://example.test/${tag}` })) };
      const answer = await agent.result(task.id, task.leaseToken, result);
      if (answer.status !== 202) throw new Error(`result: ${answer.status}`);
    }
    const listed = await stack.call('GET', `/api/v1/gather-jobs/${job.id}/releases?limit=500`);
    return listed.body.items.length === Object.keys(releases).length ? true : undefined;
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
  stack = await startStack();
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
