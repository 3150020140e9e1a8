/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProtocolAgent, type ProtocolAgent } from '../support/protocol-agent.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// Issue 19 end to end through real processes (one stack for the file): an agent reports a gather
// job's releases, deployed versions are entered by hand, and the rules-engine answers.

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;
const NOW = Date.now();

let stack: Stack;
let agent: ProtocolAgent;
/** The rules-engine's settings, read again when it restarts: the test moves its clock. */
const rulesEngineEnv: Record<string, string> = { RULES_ENGINE_EOL_CHECK_SECONDS: '0.5', RULES_ENGINE_SNOOZE_CHECK_SECONDS: '0.5', RULES_ENGINE_CLOCK_OFFSET_SECONDS: '0' };
let receiver: WebhookReceiver;

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

/** Runs a gather job again; the agent reports `releases`, waited for until `count` are stored. */
async function gatheredAgain(gatherJobId: string, releases: unknown[], count: number): Promise<void> {
  const run = await stack.call('POST', `/api/v1/gather-jobs/${gatherJobId}/run`);
  if (run.status >= 300) throw new Error(`run: ${run.status}`);
  await eventually('the gather ran again', async () => {
    for (const task of await agent.claim(5, 1)) {
      const answer = await agent.result(task.id, task.leaseToken, { releases });
      if (answer.status !== 202) throw new Error(`result: ${answer.status}`);
    }
    const listed = await stack.call('GET', `/api/v1/gather-jobs/${gatherJobId}/releases?limit=500`);
    return listed.body.items.length === count ? true : undefined;
  });
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
  [stack, receiver] = await Promise.all([startStack({ envFor: { 'rules-engine': rulesEngineEnv } }), startWebhookReceiver()]);
  const key = await stack.call('POST', '/api/v1/api-keys', { name: 'ops agent', role: 'agent' });
  agent = createProtocolAgent({ apiUrl: stack.api().url, key: key.body.key, name: 'ops-agent', capabilities: ['gather'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
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

describe('one upstream across every deployment', () => {
  it('the fleet view of one upstream with five deployments shows five rows and the right counts', async () => {
    const cycles = await gatheredJob(
      { name: 'postgres cycles', sourceType: 'endoflife', source: { product: 'postgresql' }, schedule: '0 0 1 1 *' },
      [cycle('15', '15.3', dateIn(-10)), cycle('16', '16.4', dateIn(400)), cycle('17', '17.2', dateIn(900))],
    );
    const gatherJobId = await gathered('postgres', { 'v15.3.0': new Date(NOW - 3 * YEAR_MS), 'v16.4.0': new Date(NOW - YEAR_MS), 'v17.2.0': new Date(NOW) });
    const rule = await created('/api/v1/rules', { name: 'postgres minors', type: 'minors_behind', moderate: 1, high: 2, critical: 3 });
    const sites = [['site-a', '17.2.0'], ['site-b', '17.2.0'], ['site-c', '16.4.0'], ['site-d', '15.3.0'], ['site-e', 'latest']] as const;
    const ids: string[] = [];
    for (const [site, version] of sites) {
      const config = await created('/api/v1/alert-configs', { name: `postgres ${site}`, gatherJobId, scrapeJobId: await deployed(`postgres ${site}`, version), ruleId: rule.id, eolGatherJobId: cycles });
      ids.push(config.id);
    }
    for (const id of ids) await evaluationOf(id, () => true);

    const view = await stack.call('GET', `/api/v1/upstreams/${gatherJobId}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ gatherJobId, name: 'postgres', latestVersion: 'v17.2.0', counts: { deployments: 5, onLatest: 2, behind: 2, unknown: 1, pastEol: 1, libyear: 4 } });
    expect(view.body.deployments).toHaveLength(5);
    expect(view.body.deployments.map((d: any) => [d.alertConfigName, d.deployedVersion, d.state, d.behindBy])).toEqual([
      ['postgres site-a', '17.2.0', 'on_latest', 0],
      ['postgres site-b', '17.2.0', 'on_latest', 0],
      ['postgres site-c', '16.4.0', 'behind', 1],
      ['postgres site-d', '15.3.0', 'behind', 2],
      ['postgres site-e', 'latest', 'unknown', null],
    ]);
    expect(view.body.deployments[3].eol).toEqual({ cycle: '15', eolDate: dateIn(-10), daysLeft: -10 });

    const behind = await stack.call('GET', `/api/v1/upstreams/${gatherJobId}?status=behind`);
    expect(behind.body.deployments.map((d: any) => d.alertConfigName)).toEqual(['postgres site-c', 'postgres site-d']);
    const found = await stack.call('GET', '/api/v1/upstreams?q=POSTGRES&status=past_eol');
    expect(found.body.items.map((u: any) => u.gatherJobId)).toEqual([gatherJobId]);
    const none = await stack.call('GET', '/api/v1/upstreams?q=no-such-upstream');
    expect(none.body.items).toEqual([]);
    expect(none.body.totals.deployments).toBeGreaterThanOrEqual(5);
    const bad = await stack.call('GET', '/api/v1/upstreams?status=sideways');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.status');
  }, 120_000);
});

describe('snooze', () => {
  it('a snoozed alert sends nothing when it escalates, and notifies once when the snooze ends', async () => {
    const channel = await created('/api/v1/notification-channels', { name: 'ops hook', type: 'webhook', url: receiver.url });
    await created('/api/v1/notification-rules', {
      name: 'everything', channelId: channel.id, events: ['created', 'escalated', 'resolved', 'snoozed', 'unsnoozed'], severities: ['moderate', 'high', 'critical'],
    });
    const tags = (...names: string[]) => names.map((tag, i) => ({ tag, publishedAt: new Date(NOW - (10 - i) * DAY_MS).toISOString(), prerelease: false, url: `https://example.test/${tag}` }));
    const gatherJobId = await gatheredJob({ name: 'svc', sourceType: 'github_release', source: { owner: 'ops', repo: 'svc' }, schedule: '0 0 1 1 *' }, tags('v2.0.0', 'v2.1.0'));
    const scrapeJobId = await deployed('svc prod', '2.0.0');
    const rule = await created('/api/v1/rules', { name: 'svc minors', type: 'minors_behind', moderate: 1, high: 2, critical: 3 });
    const config = await created('/api/v1/alert-configs', { name: 'svc prod', gatherJobId, scrapeJobId, ruleId: rule.id });
    const ofConfig = (type: string) => receiver.received.filter((w) => w.json?.type === type && w.json?.data?.alertConfig?.id === config.id);
    await eventually('alert.created delivered', async () => (ofConfig('alert.created').length === 1 ? true : undefined));
    const alert = await openAlertOf(config.id);
    expect(alert.severity).toBe('moderate');

    // An hour's snooze; the rules-engine's clock is then moved past it (as time would).
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const snoozed = await stack.call('POST', `/api/v1/alerts/${alert.id}/snooze`, { until, reason: 'maintenance window' });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.snooze).toMatchObject({ until, reason: 'maintenance window', snoozedBy: expect.any(String) });
    await eventually('alert.snoozed delivered', async () => (ofConfig('alert.snoozed').length === 1 ? true : undefined));

    // Upstream moves on during the snooze: the alert escalates to critical, recorded, not notified.
    await gatheredAgain(gatherJobId, tags('v2.0.0', 'v2.1.0', 'v2.2.0', 'v2.3.0'), 4);
    const escalated = await eventually('the escalation recorded', async () => {
      const row = await stack.db.selectFrom('alert_events').select(['id', 'notified']).where('alert_id', '=', alert.id).where('type', '=', 'escalated').executeTakeFirst();
      return row;
    });
    expect(escalated.notified).toBe(false);
    const deliveries = await stack.db.selectFrom('deliveries').select('id').where('alert_event_id', '=', escalated.id).execute();
    expect(deliveries).toEqual([]);
    expect((await openAlertOf(config.id)).severity).toBe('critical');
    expect((await openAlertOf(config.id)).snooze).toMatchObject({ until });
    expect(ofConfig('alert.escalated')).toHaveLength(0);

    // The snooze ends at its time: unsnoozed, and the escalation that still holds, notified once.
    const endedAt = Date.now();
    try {
      rulesEngineEnv.RULES_ENGINE_CLOCK_OFFSET_SECONDS = String(2 * 3600);
      await stack.kill('rules-engine');
      await stack.start('rules-engine');
      await eventually('alert.escalated delivered after the snooze', async () => (ofConfig('alert.escalated').length === 1 ? true : undefined), 40_000);
      await eventually('alert.unsnoozed delivered', async () => (ofConfig('alert.unsnoozed').length === 1 ? true : undefined));
    } finally {
      rulesEngineEnv.RULES_ENGINE_CLOCK_OFFSET_SECONDS = '0';
      await stack.kill('rules-engine');
      await stack.start('rules-engine');
    }
    expect(ofConfig('alert.escalated')[0]!.at).toBeGreaterThanOrEqual(endedAt);
    expect(ofConfig('alert.escalated')[0]!.json.data.alert.severity).toBe('critical');
    expect((await openAlertOf(config.id)).snooze).toBeNull();
    const types = (await stack.call('GET', `/api/v1/alerts/${alert.id}/events`)).body.items.map((e: any) => e.type);
    expect(types).toEqual(['created', 'snoozed', 'escalated', 'unsnoozed', 'escalated']);
    expect(ofConfig('alert.escalated')).toHaveLength(1);
  }, 120_000);
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
